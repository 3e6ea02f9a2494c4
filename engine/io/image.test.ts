import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H, PROBES, W, animatedGif, quadrantImage, rgbAt } from '../../tests/helpers/images.ts';
import { decodeImage, type DecodedImage } from './image.ts';

function expectQuadrants(img: DecodedImage, tolerance: number): void {
  for (const p of PROBES) {
    const got = rgbAt(img.rgb, img.width, p.x, p.y);
    const diff = got.map((v, c) => Math.abs(v - (p.rgb[c] as number)));
    expect(Math.max(...diff), `pixel (${p.x},${p.y}) = ${got.join(',')}`).toBeLessThanOrEqual(tolerance);
  }
}

describe('decodeImage: formats', () => {
  const cases: [string, (s: sharp.Sharp) => sharp.Sharp, number][] = [
    ['png', (s) => s.png(), 0],
    ['tiff (LZW)', (s) => s.tiff({ compression: 'lzw' }), 0],
    ['tiff (sharp default: JPEG-compressed)', (s) => s.tiff(), 12],
    ['webp lossless', (s) => s.webp({ lossless: true }), 0],
    ['webp', (s) => s.webp({ quality: 90 }), 12],
    ['jpeg', (s) => s.jpeg({ quality: 95 }), 12],
    ['avif', (s) => s.avif({ quality: 90 }), 16],
    ['gif', (s) => s.gif(), 0],
  ];
  it.each(cases)('decodes %s to 17×13 float RGB', async (_label, encode, tolerance) => {
    const img = await decodeImage(await encode(quadrantImage()).toBuffer(), { name: 'in' });
    expect([img.width, img.height]).toEqual([W, H]);
    expect(img.rgb).toBeInstanceOf(Float32Array);
    expect(img.rgb.length).toBe(W * H * 3);
    expect(img.alpha).toBeNull();
    expect(img.source).toBe('in');
    expectQuadrants(img, tolerance);
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
    // Stored 17×13 with red top rows; displayed 13×17 with red in the rightmost columns.
    const jpeg = await quadrantImage().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(jpeg);
    expect([img.width, img.height]).toEqual([H, W]);
    expect(rgbAt(img.rgb, img.width, 10, 2)[0]).toBeGreaterThan(200); // stored (2,2): red top-left
    expect(rgbAt(img.rgb, img.width, 2, 2)[2]).toBeGreaterThan(190); // stored (2,10): blue bottom-left
    expect(rgbAt(img.rgb, img.width, 2, 14)[0]).toBeGreaterThan(220); // stored (14,10): white
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const jpeg = await quadrantImage().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(jpeg).metadata()).space).toBe('cmyk');
    const img = await decodeImage(jpeg);
    expect(img.rgb.length).toBe(W * H * 3);
    // CMYK round trips lose saturation; check each probe keeps its dominant hue.
    for (const p of PROBES) {
      const got = rgbAt(img.rgb, W, p.x, p.y);
      const want = (p.rgb as readonly number[]).indexOf(Math.max(...p.rgb));
      if (p.rgb[0] !== p.rgb[1]) expect(got.indexOf(Math.max(...got))).toBe(want);
      else expect(Math.min(...got)).toBeGreaterThan(200);
    }
  });

  it('converts a 16-bit PNG to 8-bit values, alpha included', async () => {
    const png = await quadrantImage((x) => x * 15).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png).metadata()).depth).toBe('ushort');
    const img = await decodeImage(png);
    expectQuadrants(img, 0);
    expect(img.alpha?.[5]).toBe(75);
  });

  it('expands a palette PNG to RGB', async () => {
    const png = await quadrantImage().png({ palette: true }).toBuffer();
    expect((await sharp(png).metadata()).isPalette).toBe(true);
    const img = await decodeImage(png);
    expectQuadrants(img, 0);
    expect(img.alpha).toBeNull();
  });

  it('expands greyscale (8- and 16-bit) to three equal channels', async () => {
    for (const space of ['b-w', 'grey16'] as const) {
      const png = await quadrantImage().toColourspace(space).png().toBuffer();
      expect((await sharp(png).metadata()).channels).toBe(1);
      const img = await decodeImage(png);
      const [r, g, b] = rgbAt(img.rgb, W, 14, 10);
      expect([g, b]).toEqual([r, r]);
      expect(r).toBeGreaterThan(220);
    }
  });

  it('keeps alpha separately, and RGB unpremultiplied', async () => {
    const png = await quadrantImage((x, y) => (x + y) * 10).png().toBuffer();
    const img = await decodeImage(png);
    expect(img.alpha).toBeInstanceOf(Uint8Array);
    expect(img.alpha?.length).toBe(W * H);
    expect(img.alpha?.[0]).toBe(0);
    expect(img.alpha?.[2 * W + 3]).toBe(50);
    expectQuadrants(img, 0); // colour survives even where alpha is low
  });

  it('keeps alpha of a grey+alpha PNG', async () => {
    const png = await quadrantImage((x) => x * 10).toColourspace('b-w').png().toBuffer();
    expect((await sharp(png).metadata()).channels).toBe(2);
    const img = await decodeImage(png);
    expect(img.alpha?.[4]).toBe(40);
  });

  it('reports an alpha channel that is all 255 as opaque', async () => {
    const img = await decodeImage(await quadrantImage(() => 255).png().toBuffer());
    expect(img.alpha).toBeNull();
  });

  it('decodes only the first frame of an animated GIF', async () => {
    const gif = await animatedGif();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const img = await decodeImage(gif);
    expect([img.width, img.height]).toEqual([6, 5]);
    expect(rgbAt(img.rgb, 6, 5, 4)).toEqual([255, 0, 0]);
  });
});

describe('decodeImage: files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reverie-io-image-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads from a path and reports it as the source', async () => {
    const path = join(dir, 'quadrants.png');
    await writeFile(path, await quadrantImage().png().toBuffer());
    const img = await decodeImage(path);
    expect(img.source).toBe(path);
    expectQuadrants(img, 0);
  });
});
