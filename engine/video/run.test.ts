// ffmpeg supervision with stand-in children (node scripts) whose behaviour we control: the stop
// sequence q → SIGTERM → SIGKILL, exit codes, external kills, and a failing progress callback.
import { describe, expect, it } from 'vitest';
import { FfmpegError, FfmpegNotFoundError } from './errors.ts';
import { runFfmpeg, stderrTail } from './run.ts';

const node = process.execPath;
const script = (body: string): string[] => ['-e', body];
const gone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe('runFfmpeg', () => {
  it("stops a child that ignores 'q' and SIGTERM with SIGKILL, and settles only once it is gone", async () => {
    const stubborn = script(`
      process.on('SIGTERM', () => process.stdout.write('got-term\\n'));
      process.stdin.on('data', (d) => { if (String(d).includes('q')) process.stdout.write('got-q\\n'); });
      setInterval(() => {}, 1000);
      process.stdout.write('ready\\n');`);
    const controller = new AbortController();
    let out = '';
    let pid = 0;
    const run = runFfmpeg(node, stubborn, {
      what: 'testing',
      graceMs: 150,
      signal: controller.signal,
      onSpawn: (p) => (pid = p),
      onStdout: (chunk) => {
        out += chunk;
        if (chunk.includes('ready')) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(out.split('\n').filter(Boolean)).toEqual(['ready', 'got-q', 'got-term']);
    expect(pid).toBeGreaterThan(0);
    expect(gone(pid)).toBe(true);
  });

  it("lets a child that honours 'q' finish cleanly (no signal needed)", async () => {
    const polite = script(`
      process.on('SIGTERM', () => { process.stdout.write('got-term\\n'); process.exit(1); });
      process.stdin.on('data', (d) => { if (String(d).includes('q')) { process.stdout.write('got-q\\n'); process.exit(0); } });
      process.stdout.write('ready\\n');`);
    const controller = new AbortController();
    let out = '';
    const run = runFfmpeg(node, polite, { what: 'testing', graceMs: 5000, signal: controller.signal, onStdout: (c) => ((out += c), c.includes('ready') && controller.abort()) });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(out).toBe('ready\ngot-q\n');
  });

  it('turns a non-zero exit into FfmpegError carrying the last lines of stderr', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `complaint ${i}`).join('\\n');
    const err = (await runFfmpeg(node, script(`process.stderr.write('${lines}\\nframe=  3 fps=0.0 q=1\\r'); process.exit(3)`), { what: 'encoding x.mp4' }).catch((e: unknown) => e)) as FfmpegError;
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ exitCode: 3, signal: null, tool: 'ffmpeg' });
    expect(err.message).toMatch(/^ffmpeg exited with code 3 while encoding x\.mp4:\ncomplaint 8\n/);
    expect(err.stderrTail.split('\n')).toHaveLength(12);
    expect(err.stderrTail).not.toMatch(/frame=/);
  });

  it('reports a child killed from outside', async () => {
    let pid = 0;
    const run = runFfmpeg(node, script('setInterval(() => {}, 1000); process.stdout.write("ready")'), {
      what: 'encoding',
      onSpawn: (p) => (pid = p),
      onStdout: () => process.kill(pid, 'SIGKILL'),
    });
    await expect(run).rejects.toThrow(/ffmpeg was killed \(SIGKILL\) while encoding and printed nothing/);
  });

  it('stops the child and rejects with the error when the progress callback throws', async () => {
    let pid = 0;
    const run = runFfmpeg(node, script('process.stdin.on("data", () => process.exit(0)); process.stdout.write("ready")'), {
      what: 'encoding',
      onSpawn: (p) => (pid = p),
      onStdout: () => {
        throw new RangeError('progress sink broke');
      },
    });
    await expect(run).rejects.toThrow(RangeError);
    expect(gone(pid)).toBe(true);
  });

  it('feeds stdin with backpressure and ends it after the last chunk (the child sees its whole input, then EOF)', async () => {
    const echo = script(`let n = 0; process.stdin.on('data', (d) => (n += d.length)); process.stdin.on('end', () => { process.stdout.write('got ' + n); process.exit(0); });`);
    const chunk = Buffer.alloc(1 << 20, 7);
    let out = '';
    await runFfmpeg(node, echo, {
      what: 'feeding',
      feed: async function* () {
        for (let i = 0; i < 8; i++) yield chunk;
      },
      onStdout: (c) => (out += c),
    });
    expect(out).toBe(`got ${8 << 20}`);
  });

  it('a fed child is stopped by closing its stdin (no q among its input); a throwing feed rejects with its error', async () => {
    const reader = script(`process.stdin.on('data', () => {}); process.stdin.on('end', () => { process.stdout.write('eof'); process.exit(0); }); process.stdout.write('ready');`);
    const controller = new AbortController();
    let out = '';
    const never = async function* (): AsyncGenerator<Buffer> {
      yield Buffer.from('first');
      await new Promise(() => undefined);
    };
    const run = runFfmpeg(node, reader, { what: 'feeding', graceMs: 5000, signal: controller.signal, feed: never, onStdout: (c) => ((out += c), c.includes('ready') && controller.abort()) });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(out).toBe('readyeof');
    const broken = async function* (): AsyncGenerator<Buffer> {
      yield Buffer.from('first');
      throw new RangeError('frame 3 disappeared');
    };
    await expect(runFfmpeg(node, reader, { what: 'feeding', feed: broken })).rejects.toThrow('frame 3 disappeared');
  });

  it('says when the executable cannot be started, and refuses an already-aborted signal without spawning', async () => {
    await expect(runFfmpeg('/nowhere/ffmpeg', [], { what: 'x' })).rejects.toThrow(FfmpegNotFoundError);
    await expect(runFfmpeg('/nowhere/ffmpeg', [], { what: 'x', signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('keeps only the complaint in the stderr tail', () => {
    expect(stderrTail('a\n\nframe=    1 fps=0.0 q=0.0\rframe=    2 fps=0.0 q=0.0\nb\r\n')).toBe('a\nb');
  });
});
