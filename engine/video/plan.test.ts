// Encode planning and argument building: pure, so each refusal and each codec choice is pinned here.
import { describe, expect, it } from 'vitest';
import { encodeArgs } from './args.ts';
import { VideoOptionsError } from './errors.ts';
import { formatFromPath, parseSize, planEncode } from './plan.ts';

const frame = { width: 67, height: 49 };

describe('planEncode', () => {
  it('takes the format from the extension and the size from frame 0, padding odd sides for mp4 only', () => {
    expect(planEncode({ out: 'a.MP4' }, frame)).toEqual({ format: 'mp4', fps: 30, quality: 18, box: frame, canvas: { width: 68, height: 50 }, fill: false });
    expect(planEncode({ out: 'a.webm' }, frame)).toMatchObject({ format: 'webm', quality: 31, canvas: frame });
    expect(planEncode({ out: 'a.gif', fps: 12 }, frame)).toMatchObject({ format: 'gif', fps: 12, canvas: frame });
    expect(planEncode({ out: 'a.bin', format: 'webm', quality: 10 }, frame)).toMatchObject({ format: 'webm', quality: 10 });
  });

  it('uses an asked-for size as the exact output size', () => {
    expect(planEncode({ out: 'a.mp4', size: { width: 128, height: 96 } }, frame)).toMatchObject({ box: { width: 128, height: 96 }, canvas: { width: 128, height: 96 }, fill: false });
  });

  it('takes one asked-for side and the other from frame 0, even for mp4/webm, scaled to fill (up or down)', () => {
    // 67x49 at width 64: 46.8 → 46 (even); at width 200: 146.3 → 146; as a GIF: 47.
    expect(planEncode({ out: 'a.mp4', size: { width: 64 } }, frame)).toMatchObject({ box: { width: 64, height: 46 }, canvas: { width: 64, height: 46 }, fill: true });
    expect(planEncode({ out: 'a.webm', size: { width: 200, height: null } }, frame)).toMatchObject({ canvas: { width: 200, height: 146 }, fill: true });
    expect(planEncode({ out: 'a.gif', size: { width: 64 } }, frame)).toMatchObject({ canvas: { width: 64, height: 47 } });
    expect(planEncode({ out: 'a.mp4', size: { height: 100 } }, frame)).toMatchObject({ canvas: { width: 136, height: 100 }, fill: true });
  });

  it.each([
    [{ out: 'a.avi' }, /name it \.mp4, \.webm or \.gif/],
    [{ out: 'a.mp4', size: { width: 65, height: 40 } }, /even width and height.*Try 66x40/],
    [{ out: 'a.gif', fps: 60 }, /at most 50 for gif/],
    [{ out: 'a.mp4', fps: 0 }, /above 0/],
    [{ out: 'a.mp4', fps: Number.NaN }, /Frame rate NaN/],
    [{ out: 'a.gif', quality: 10 }, /GIF has no quality/],
    [{ out: 'a.mp4', quality: 52 }, /0 \(best\) to 51/],
    [{ out: 'a.webm', quality: 2.5 }, /whole number from 0 \(best\) to 63/],
    [{ out: 'a.webm', size: { width: 1, height: 40 } }, /width 1 must be a whole number from 16 to 8192/],
    [{ out: 'a.webm', size: { width: 8194 } }, /^Video width 8194 must be a whole number from 16 to 8192\.$/],
    [{ out: 'a.mp4', size: { width: 65 } }, /^H\.264 \(mp4\) needs an even width; 65 is odd\. Try 64 or 66\.$/],
    [{ out: 'a.mp4', size: { width: 16, height: 0 } }, /height 0 must be/],
    [{ out: 'a.gif', size: { height: 10 } }, /height 10 must be a whole number from 16/],
    [{ out: 'a.mp4', size: { width: 16 } }, /width of 16 makes the height 12 for 67x49 frames; it must be from 16 to 8192/],
    [{ out: 'a.mp4', size: {} }, /a width, a height, or both/],
  ])('refuses %o', (o, message) => {
    expect(() => planEncode(o, frame)).toThrow(VideoOptionsError);
    expect(() => planEncode(o, frame)).toThrow(message);
  });

  it('parses sizes and formats', () => {
    expect(parseSize('640x480')).toEqual({ width: 640, height: 480 });
    expect(parseSize(' 64 X 48 ')).toEqual({ width: 64, height: 48 });
    expect(() => parseSize('640')).toThrow(/should look like 1280x720/);
    expect(() => parseSize('8x8')).toThrow(/width 8 must be a whole number from 16 to 8192/);
    expect(formatFromPath('/x/y.m4v')).toBe('mp4');
    expect(formatFromPath('/x/y.png')).toBeNull();
  });
});

describe('encodeArgs', () => {
  const base = { frames: 8, fps: 24, quality: 20, box: frame, canvas: { width: 68, height: 50 }, out: '/o/.x.partial.mp4' };
  const after = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

  it('mp4: libx264, yuv420p, CRF, exact frame count and rate, progress on stdout', () => {
    const a = encodeArgs({ ...base, format: 'mp4' });
    expect(after(a, '-c:v')).toBe('libx264');
    expect(after(a, '-pix_fmt')).toBe('yuv420p');
    expect(after(a, '-crf')).toBe('20');
    expect(after(a, '-framerate')).toBe('24');
    expect(after(a, '-frames:v')).toBe('8');
    expect(after(a, '-progress')).toBe('pipe:1');
    expect(a).toContain('-nostats');
    expect(after(a, '-vf')).toMatch(/pad=68:50:.*format=yuv420p$/);
    expect(a.at(-1)).toBe(base.out);
  });

  it('scales to exactly the box when asked to fill it, with lanczos and no padding', () => {
    expect(after(encodeArgs({ ...base, format: 'mp4', box: { width: 64, height: 46 }, canvas: { width: 64, height: 46 }, fill: true }), '-vf')).toBe('scale=64:46:flags=lanczos,format=rgb24,setsar=1,format=yuv420p');
    expect(after(encodeArgs({ ...base, format: 'mp4' }), '-vf')).toMatch(/^scale=67:49:force_original_aspect_ratio=decrease:flags=lanczos,/);
  });

  it('webm: VP9 in constant-quality mode (-b:v 0)', () => {
    const a = encodeArgs({ ...base, format: 'webm' });
    expect(after(a, '-c:v')).toBe('libvpx-vp9');
    expect(after(a, '-b:v')).toBe('0');
    expect(after(a, '-crf')).toBe('20');
  });

  it('gif: palettegen and paletteuse in one filter graph, no CRF', () => {
    const a = encodeArgs({ ...base, format: 'gif' });
    expect(after(a, '-filter_complex')).toMatch(/split\[a\]\[b\];\[a\]palettegen.*\[b\]\[p\]paletteuse/);
    expect(a).not.toContain('-crf');
    expect(after(a, '-f')).toBe('png_pipe');
    expect(after(a, '-i')).toBe('pipe:0');
    expect(a.filter((x) => x === '-f').length).toBe(2);
  });
});
