import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, ImageTooLargeError, ReverieIoError, UnsupportedImageError } from './errors.ts';
import { blackBilevelPng, quadrantImage } from '../../tests/helpers/images.ts';
import { DEFAULT_MAX_PIXELS, decodeImage } from './image.ts';

/** Runs decodeImage and returns the error it throws (failing the test if it succeeds). */
async function decodeError(input: string | Buffer, opts?: Parameters<typeof decodeImage>[1]): Promise<ReverieIoError> {
  const err: unknown = await decodeImage(input, opts).then(
    () => new Error('decodeImage unexpectedly succeeded'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ReverieIoError);
  return err as ReverieIoError;
}

describe('decodeImage: bad input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reverie-io-bad-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a zero-byte file', async () => {
    const path = join(dir, 'empty.png');
    await writeFile(path, Buffer.alloc(0));
    const err = await decodeError(path);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).toBe(`${path} — file is empty (0 bytes)`);
    expect(err.file).toBe(path);
  });

  it('rejects an empty buffer', async () => {
    expect(await decodeError(Buffer.alloc(0), { name: 'drop.png' })).toBeInstanceOf(ImageDecodeError);
  });

  it('names a missing file', async () => {
    const err = await decodeError(join(dir, 'nope.png'));
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).toMatch(/nope\.png — file does not exist/);
  });

  it('refuses a folder', async () => {
    const sub = join(dir, 'folder.png');
    await mkdir(sub);
    expect((await decodeError(sub)).reason).toMatch(/folder, not an image/);
  });

  it.each([
    ['cut in half', (b: Buffer) => b.subarray(0, b.length >> 1)],
    ['cut to 30 bytes', (b: Buffer) => b.subarray(0, 30)],
    ['missing its last 20 bytes', (b: Buffer) => b.subarray(0, b.length - 20)],
  ])('rejects a PNG %s as truncated or corrupt, keeping sharp’s message as detail', async (_label, cut) => {
    const png = await quadrantImage().png().toBuffer();
    const err = await decodeError(cut(png), { name: 'cut.png' });
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).toMatch(/^cut\.png — PNG (image data|file) is truncated or corrupt \(.+\)$/);
    expect(err.detail).toMatch(/pngload/);
  });

  it('rejects a truncated JPEG, TIFF and GIF with the format named', async () => {
    for (const [fmt, label] of [['jpeg', 'JPEG'], ['tiff', 'TIFF'], ['gif', 'GIF']] as const) {
      const full = await quadrantImage().toFormat(fmt).toBuffer();
      const err = await decodeError(full.subarray(0, full.length >> 1), { name: `x.${fmt}` });
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect(err.reason).toContain(`${label} `);
    }
  });

  it('rejects random bytes as not an image', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (Math.imul(i, 2654435761) >>> 13) & 255));
    const err = await decodeError(bytes, { name: 'noise.bin' });
    expect(err).toBeInstanceOf(UnsupportedImageError);
    expect(err.message).toMatch(/^noise\.bin — not a recognised image: it is named \.bin but its contents are not/);
  });

  it('rejects a text file renamed .png', async () => {
    const path = join(dir, 'notes.png');
    await writeFile(path, 'shopping list\n- eggs\n');
    const err = await decodeError(path);
    expect(err).toBeInstanceOf(UnsupportedImageError);
    expect(err.reason).toMatch(/it is named \.png but its contents are not PNG/);
  });

  it('names HEIC and SVG as unsupported, with what to do', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(64)]);
    const err = await decodeError(heic, { name: 'photo.heic' });
    expect(err).toBeInstanceOf(UnsupportedImageError);
    expect(err.message).toBe('photo.heic — HEIC is not supported; convert it to PNG or JPEG');
    expect((err as UnsupportedImageError).format).toBe('HEIC');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    expect((await decodeError(svg, { name: 'logo.svg' })).message).toBe(
      'logo.svg — SVG is not supported; convert it to PNG or JPEG',
    );
    // A DOCTYPE hides this SVG from our sniffer; sharp's metadata still identifies it.
    const doctype = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/svg.dtd">';
    const hidden = Buffer.from(`<?xml version="1.0"?>\n${doctype}\n${svg.toString()}`);
    const hiddenErr = await decodeError(hidden, { name: 'old.svg' });
    expect(hiddenErr.reason).toBe('SVG is not supported; convert it to PNG or JPEG');
  });
});

describe('decodeImage: pixel limit', () => {
  it('defaults to 64 megapixels', () => {
    expect(DEFAULT_MAX_PIXELS).toBe(64_000_000);
  });

  it('rejects a 30000×30000 PNG from its header, before decoding', async () => {
    const bomb = blackBilevelPng(30000, 30000);
    expect(bomb.length).toBeLessThan(200_000);
    const started = performance.now();
    const err = await decodeError(bomb, { name: 'bomb.png' });
    expect(performance.now() - started).toBeLessThan(2000); // header only; decoding 900 MP takes far longer
    expect(err).toBeInstanceOf(ImageTooLargeError);
    expect(err.message).toBe(
      'bomb.png — image is 30000×30000 = 900,000,000 pixels, more than the limit of 64,000,000 pixels; ' +
        'downscale it before loading',
    );
    expect(err).toMatchObject({ width: 30000, height: 30000, pixels: 900_000_000, limit: DEFAULT_MAX_PIXELS });
  });

  it('honours a custom maxPixels', async () => {
    const png = await quadrantImage().png().toBuffer();
    expect(await decodeError(png, { maxPixels: 17 * 13 - 1 })).toBeInstanceOf(ImageTooLargeError);
    await expect(decodeImage(png, { maxPixels: 17 * 13 })).resolves.toMatchObject({ width: 17, height: 13 });
  });
});
