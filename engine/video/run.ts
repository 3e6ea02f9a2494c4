// Runs ffmpeg as a supervised child: argument arrays (never a shell), stderr kept as a short tail for
// error messages, and cancellation that always ends with the child gone: 'q' on stdin (ffmpeg's own
// clean stop), then SIGTERM, then SIGKILL. The promise settles only after the child has exited.
// With `feed`, stdin carries ffmpeg's input instead (e.g. the frames of an image2pipe input): its end
// is the end of ffmpeg's input, so ffmpeg cannot outlive us. Our death, even by SIGKILL, closes the
// pipe, and ffmpeg stops as soon as it has read what was already written. A stop closes stdin at once.
import { spawn } from 'node:child_process';
import { FfmpegError, FfmpegNotFoundError } from './errors.ts';

export interface RunFfmpegOptions {
  signal?: AbortSignal | undefined;
  /** Called with each stdout chunk (the -progress stream). A throw stops ffmpeg and rejects with it. */
  onStdout?: ((chunk: string) => void) | undefined;
  /** Called once the child exists; lets tests (and UIs) see the pid. */
  onSpawn?: ((pid: number) => void) | undefined;
  /** What the run was doing, for error messages ("encoding out.mp4"). */
  what: string;
  /** Grace periods before SIGTERM and then SIGKILL once a stop was asked for. */
  graceMs?: number;
  /** Data for ffmpeg's stdin (its input, read as `pipe:0`), written with backpressure; stdin is ended
   * after the last chunk. A throw stops ffmpeg and rejects with it. */
  feed?: (() => AsyncIterable<Buffer>) | undefined;
}

const TAIL_LINES = 12;
const TAIL_CHARS = 64 * 1024;

/** The last few non-empty lines of `text`, the progress lines (\r-separated) left out. */
export function stderrTail(text: string, lines = TAIL_LINES): string {
  return text
    .split(/\r\n|\n/)
    .map((l) => l.split('\r').pop()!.trim())
    .filter((l) => l !== '' && !/^frame=\s*\d+ fps=/.test(l))
    .slice(-lines)
    .join('\n');
}

export async function runFfmpeg(bin: string, args: readonly string[], options: RunFfmpegOptions): Promise<void> {
  const { signal, graceMs = 2000 } = options;
  signal?.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let stderr = '';
    let failure: unknown = null; // our own reason to stop (a throwing callback)
    let spawnError: NodeJS.ErrnoException | null = null;
    const timers: NodeJS.Timeout[] = [];

    const stop = (): void => {
      if (timers.length > 0 || child.exitCode !== null || child.signalCode !== null) return;
      // ffmpeg finishes the current frame and exits; we discard its output. A fed ffmpeg does not read
      // keys from stdin: the end of its input is its clean stop.
      if (options.feed) child.stdin.destroy();
      else child.stdin.end('q');
      timers.push(setTimeout(() => child.kill('SIGTERM'), graceMs));
      timers.push(setTimeout(() => child.kill('SIGKILL'), 2 * graceMs));
    };
    const pump = async (feed: () => AsyncIterable<Buffer>): Promise<void> => {
      const stdin = child.stdin;
      const open = (): boolean => !stdin.destroyed && !stdin.writableEnded && timers.length === 0;
      try {
        for await (const chunk of feed()) {
          if (!open()) return;
          if (!stdin.write(chunk)) {
            await new Promise<void>((go) => {
              const done = (): void => {
                stdin.off('drain', done);
                stdin.off('close', done);
                go();
              };
              stdin.on('drain', done);
              stdin.on('close', done);
            });
          }
        }
        if (open()) stdin.end();
      } catch (err) {
        failure ??= err;
        stop();
      }
    };
    const onAbort = (): void => stop();
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdin.on('error', () => undefined); // EPIPE when ffmpeg is already gone; exit handling covers it
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-TAIL_CHARS);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (failure !== null) return;
      try {
        options.onStdout?.(d);
      } catch (err) {
        failure = err;
        stop();
      }
    });
    child.on('spawn', () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
      if (options.feed) void pump(options.feed);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError ??= err; // 'close' still follows, so settle there
    });
    child.on('close', (code, sig) => {
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      if (failure !== null) return reject(failure);
      if (spawnError && child.pid === undefined) {
        return reject(new FfmpegNotFoundError(`Could not start ffmpeg at "${bin}" (${spawnError.code ?? spawnError.message}).`, [bin]));
      }
      if (code === 0) return resolve();
      reject(new FfmpegError(options.what, { tool: 'ffmpeg', exitCode: code, signal: sig, stderrTail: stderrTail(stderr) }));
    });
  });
}
