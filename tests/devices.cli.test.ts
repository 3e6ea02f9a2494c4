// `reverie devices` and `--device` through the real CLI: with no Vulkan driver it says plainly that no
// GPU is present and refuses --device webgpu; with chromium's SwiftShader driver it lists a software
// GPU that auto passes over, and a small dream named onto it matches the CPU's within a stated
// tolerance, each run saying which device ran. --fetch-cuda fails cleanly offline.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, writeTestImage } from './helpers/cli.ts';
import { cudaProviderLibrary } from '../engine/accel/providers.ts';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const NO_DRIVER = '/nonexistent/vk_icd.json';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reverie-devices-'));
  await writeTestImage(join(dir, 'in.png'), 96, 80);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function reverie(args: string[], env: Record<string, string>, timeout = 300_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The test's own config folder: no saved device or backend setting leaks in.
    const fullEnv = { ...process.env, REVERIE_CONFIG_DIR: join(dir, 'config'), ...env };
    execFile(process.execPath, [BIN, ...args], { env: fullEnv, timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const jsonLines = (stdout: string) => stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

interface Entry {
  device: string;
  available: boolean;
  why?: string;
  software: boolean;
  adapter: { name: string; software: boolean } | null;
  threads?: number;
  probeMs?: number;
  stepMs?: number;
  ranOn?: string;
}

describe('reverie devices', () => {
  it('without a Vulkan driver says plainly that no GPU is present, and --device webgpu is refused', async () => {
    const text = await reverie(['devices', '--no-step'], { VK_ICD_FILENAMES: NO_DRIVER });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}webgpu +- +no GPU present \(no Vulkan driver installed\)$/m);
    expect(text.stdout).toMatch(/^No GPU present: dreams run on the CPU\.$/m);
    const json = JSON.parse((await reverie(['devices', '--no-step', '--json'], { VK_ICD_FILENAMES: NO_DRIVER })).stdout) as { devices: Entry[]; gpuPresent: boolean };
    expect(json.gpuPresent).toBe(false);
    const cpu = json.devices.find((d) => d.device === 'cpu')!;
    expect(cpu.available).toBe(true);
    expect(cpu.threads).toBeGreaterThan(0);
    expect(json.devices.filter((d) => d.available).map((d) => d.device)).toEqual(['cpu']);

    const refused = await reverie(['dream', join(dir, 'in.png'), '-o', join(dir, 'never.png'), '--device', 'webgpu', '--steps', '1', '--octaves', '1'], { VK_ICD_FILENAMES: NO_DRIVER });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/DeviceUnavailableError: Device "webgpu" is not available here: no GPU present/);
    expect(existsSync(join(dir, 'never.png'))).toBe(false);
  });

  it('with SwiftShader lists WebGPU as a software GPU that auto passes over, with a probe and a timed step', async () => {
    const r = await reverie(['devices', '--json', '--size', '75'], { VK_ICD_FILENAMES: SWIFTSHADER });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { devices: Entry[]; gpuPresent: boolean; summary: string };
    const webgpu = json.devices.find((d) => d.device === 'webgpu')!;
    expect(webgpu).toMatchObject({ available: true, software: true, adapter: { name: 'SwiftShader (Vulkan)', software: true }, ranOn: 'webgpu' });
    expect(webgpu.probeMs).toBeGreaterThan(0);
    expect(webgpu.stepMs).toBeGreaterThan(0);
    expect(json.devices.find((d) => d.device === 'cpu')).toMatchObject({ available: true, ranOn: 'cpu' });
    expect(json.gpuPresent).toBe(false);
    expect(json.summary).toBe('Only software GPUs: --device auto uses the CPU.');
  }, 600_000);

  it('--fetch-cuda fails cleanly without the internet and installs nothing', async () => {
    // The installer's proxy agent pointed at a closed port: no internet even where CI has some.
    const r = await reverie(['devices', '--fetch-cuda'], { GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9', GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CudaFetchError: Could not fetch the CUDA provider: .+\. Nothing was installed/);
    expect(existsSync(cudaProviderLibrary()!)).toBe(false);
  });
});

describe('--device on a dream', () => {
  const dreamArgs = (out: string, device: string) => ['dream', join(dir, 'in.png'), '-o', join(dir, out), '--layers', 'mixed3', '--steps', '2', '--octaves', '1', '--seed', '4', '--device', device, '--json'];

  it('webgpu (SwiftShader) dreams the picture as the CPU does, each run saying where it ran', async () => {
    const [cpu, gpu] = [await reverie(dreamArgs('cpu.png', 'cpu'), { VK_ICD_FILENAMES: SWIFTSHADER }), await reverie(dreamArgs('gpu.png', 'webgpu'), { VK_ICD_FILENAMES: SWIFTSHADER }, 600_000)];
    expect(cpu.code, cpu.stderr).toBe(0);
    expect(gpu.code, gpu.stderr).toBe(0);
    const events = (r: typeof cpu) => jsonLines(r.stdout);
    const model = (r: typeof cpu) => events(r).find((e) => e['type'] === 'model')!;
    const done = (r: typeof cpu) => events(r).find((e) => e['type'] === 'done')!;
    expect(model(cpu)['device']).toBe('cpu');
    expect(model(gpu)).toMatchObject({ device: 'webgpu', softwareGpu: true });
    // Every step ran where asked: no silent fallback.
    expect(done(cpu)['deviceSteps']).toEqual({ cpu: 2 });
    expect(done(gpu)['deviceSteps']).toEqual({ webgpu: 2 });
    expect(events(gpu).filter((e) => e['type'] === 'progress').every((e) => e['device'] === 'webgpu')).toBe(true);
    // The PNG's recipe metadata records the device.
    const info = await reverie(['info', join(dir, 'gpu.png'), '--json'], {});
    expect(info.stdout).toMatch(/"device":\s*"webgpu"/);

    const [a, b] = await Promise.all([sharp(join(dir, 'cpu.png')).removeAlpha().raw().toBuffer(), sharp(join(dir, 'gpu.png')).removeAlpha().raw().toBuffer()]);
    let diff = 0;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      diff += d;
      worst = Math.max(worst, d);
    }
    // Gradients agree to ~1e-6 relative; after normalisation and rounding to 8 bits, at most a level apart.
    expect(diff / a.length).toBeLessThan(0.05);
    expect(worst).toBeLessThanOrEqual(1);
  }, 900_000);
});
