import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageDecodeError } from './errors.ts';
import { quadrantImage } from '../../tests/helpers/images.ts';
import { decodeImage, encodePng, readPngTexts } from './image.ts';
import { encodeChunk, insertChunksBeforeIend, iterateChunks } from './pngChunks.ts';

const tiny = (): Promise<Buffer> => quadrantImage().png().toBuffer();

describe('encodePng', () => {
  it('rounds and clamps floats to 0..255 (NaN → 0)', async () => {
    const rgb = Float32Array.from([-20, 0.4, 0.6, 127.49, 254.6, 1e6, Number.NaN, 100, 255]);
    const png = await encodePng({ width: 3, height: 1, rgb, alpha: null });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect([...data]).toEqual([0, 0, 1, 127, 255, 255, 0, 100, 255]);
  });

  it('round-trips through decodeImage, alpha included', async () => {
    const src = await decodeImage(await quadrantImage((x, y) => x * 7 + y).png().toBuffer());
    const back = await decodeImage(await encodePng(src));
    expect(back.rgb).toEqual(src.rgb);
    expect(back.alpha).toEqual(src.alpha);
    expect((await sharp(await encodePng(src)).metadata()).channels).toBe(4);
  });

  it('rejects mismatched buffer sizes', async () => {
    const short = { width: 2, height: 2, rgb: new Float32Array(11), alpha: null };
    await expect(encodePng(short)).rejects.toThrow(RangeError);
    const rgb = new Float32Array(12);
    await expect(encodePng({ width: 2, height: 2, rgb, alpha: new Uint8Array(3) })).rejects.toThrow(/alpha has 3/);
  });
});

describe('PNG text chunks', () => {
  const unicodeJson = JSON.stringify({ prompt: 'Träume — 夢 🌀', layers: ['mixed4c'], octaves: 4 });

  it('round-trips unicode JSON and a 100 kB text as iTXt', async () => {
    const big = 'ß€夢'.repeat(10_000) + 'x'.repeat(100_000 - 3 * 10_000);
    const texts = { reverie: unicodeJson, big, Comment: 'plain' };
    const png = await encodePng({ width: 2, height: 1, rgb: new Float32Array(6).fill(9), alpha: null }, texts);
    expect(readPngTexts(png)).toEqual(texts);
    const types = [...iterateChunks(png)].map((c) => c.type);
    expect(types.slice(-4)).toEqual(['iTXt', 'iTXt', 'iTXt', 'IEND']);
    // Still a valid image for other decoders.
    expect((await decodeImage(png)).rgb[0]).toBe(9);
  });

  it('reads tEXt, zTXt and compressed iTXt written by other tools', async () => {
    const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
    const chunks = [
      encodeChunk('tEXt', Buffer.concat([latin1('Title\0'), latin1('Café')])),
      encodeChunk('zTXt', Buffer.concat([latin1('Author\0\0'), deflateSync(latin1('Zoë'))])),
      // compressed, language 'ja', translated keyword in UTF-8
      encodeChunk(
        'iTXt',
        Buffer.concat([latin1('Description\0\x01\x00ja\0'), Buffer.from('説明\0'), deflateSync(unicodeJson)]),
      ),
    ];
    const png = insertChunksBeforeIend(await tiny(), chunks);
    expect(readPngTexts(png)).toEqual({ Title: 'Café', Author: 'Zoë', Description: unicodeJson });
  });

  it('returns {} for a PNG without text', async () => {
    expect(readPngTexts(await tiny())).toEqual({});
  });

  it('lets the last chunk win when a keyword repeats', async () => {
    const png = await encodePng({ width: 1, height: 1, rgb: new Float32Array(3), alpha: null }, { k: 'first' });
    const again = insertChunksBeforeIend(png, [encodeChunk('tEXt', Buffer.from('k\0second', 'latin1'))]);
    expect(readPngTexts(again)).toEqual({ k: 'second' });
  });

  it('detects CRC corruption', async () => {
    const png = await encodePng({ width: 1, height: 1, rgb: new Float32Array(3), alpha: null }, { k: 'value' });
    const bad = Buffer.from(png);
    const at = ([...iterateChunks(png)].find((c) => c.type === 'iTXt')?.offset ?? 0) + 8 + 3;
    bad.writeUInt8((bad[at] as number) ^ 0x01, at); // flip a bit inside the text
    expect(() => readPngTexts(bad, 'out.png')).toThrow(
      /^out\.png — PNG is corrupt: iTXt chunk at byte \d+ fails its CRC/,
    );
  });

  it('explains non-PNG and truncated input', async () => {
    expect(() => readPngTexts(Buffer.from('GIF89a....'), 'a.gif')).toThrow(
      'a.gif — not a PNG file: it does not start with the PNG signature',
    );
    expect(() => readPngTexts(Buffer.alloc(0))).toThrow(ImageDecodeError);
    const png = await tiny();
    expect(() => readPngTexts(png.subarray(0, png.length - 6), 'cut.png')).toThrow(/cut\.png — PNG is truncated/);
  });

  it('rejects malformed text chunks and invalid keywords', async () => {
    const noNul = insertChunksBeforeIend(await tiny(), [encodeChunk('tEXt', Buffer.from('keyword only'))]);
    expect(() => readPngTexts(noNul)).toThrow(/tEXt chunk at byte \d+ is malformed: missing or overlong keyword/);
    const badUtf8Chunk = encodeChunk('iTXt', Buffer.from([0x6b, 0, 0, 0, 0, 0, 0xff])); // 'k', flags, then 0xff
    const badUtf8 = insertChunksBeforeIend(await tiny(), [badUtf8Chunk]);
    expect(() => readPngTexts(badUtf8)).toThrow(/not valid UTF-8/);
    const one = { width: 1, height: 1, rgb: new Float32Array(3), alpha: null };
    await expect(encodePng(one, { '': 'x' })).rejects.toThrow(RangeError);
    await expect(encodePng(one, { ' lead': 'x' })).rejects.toThrow(/keyword/);
    await expect(encodePng(one, { ['k'.repeat(80)]: 'x' })).rejects.toThrow(/keyword/);
  });
});
