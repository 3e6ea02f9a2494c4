// Runs a compiled or packaged entry under plain Node with a stand-in (electronStandIn.mjs for main,
// parentPortStandIn.mjs for the engine process; neither is Electron) in a temporary home, and
// parses the lines the stand-in prints.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../appHelpers.ts';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export interface MainReport {
  standIn: string;
  ipcChannels: string[];
  ipcListeners: string[];
  windows: Array<{ options: { webPreferences: Record<string, unknown> }; urls: string[] }>;
  protocolHandlers: string[];
  privilegedSchemes: Array<{ scheme: string }>;
  permissionHandlers: number;
  forks: Array<{ modulePath: string; args: string[] }>;
  menuSet: boolean;
  singleInstanceLock: boolean;
  appInfo: { ok: boolean; value?: { version: string; mode: string } };
}

export interface EngineMessage {
  type: string;
  backend?: string;
  modelId?: string;
  loadMs?: number;
  accelerator?: string | null;
}

/** A temporary home: user data, data, cache and config folders that are never the user's. */
export async function standInEnv(): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  const home = await tempDir('stand-in');
  return { home, env: { ...process.env, REVERIE_STAND_IN_USER_DATA: home, REVERIE_DATA_DIR: join(home, 'data'), REVERIE_CACHE_DIR: join(home, 'cache'), REVERIE_CONFIG_DIR: join(home, 'config') } };
}

function lines(stdout: string, prefix: string): unknown[] {
  return stdout.split('\n').filter((l) => l.startsWith(prefix)).map((l) => JSON.parse(l.slice(prefix.length)) as unknown);
}

/** Starts Electron main's entry with the stand-in electron module; its report once start-up is done. */
export async function startMain(entry: string, env: NodeJS.ProcessEnv): Promise<MainReport> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', here('./electronStandIn.mjs'), entry], { env, timeout: 60_000 });
  const [report] = lines(stdout, 'REVERIE_STAND_IN_REPORT ');
  if (!report) throw new Error(`${entry} printed no report:\n${stdout}`);
  return report as MainReport;
}

/** Runs the engine's utility-process entry with a stand-in parentPort until ready, or until `job` is done (its PNG written to `png`). */
export async function runEngine(entry: string, args: string[], env: NodeJS.ProcessEnv, job?: { spec: object; png: string }): Promise<EngineMessage[]> {
  const jobEnv = job ? { REVERIE_STAND_IN_JOB: JSON.stringify(job.spec), REVERIE_STAND_IN_PNG: job.png } : {};
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', here('./parentPortStandIn.mjs'), entry, ...args], { env: { ...env, ...jobEnv }, timeout: 120_000 });
  return lines(stdout, 'REVERIE_ENGINE_MESSAGE ') as EngineMessage[];
}
