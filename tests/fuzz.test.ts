// Hostile inputs: a few hundred mutated PNG/JPEG files and recipes go through the decoder and the
// validators. Each must end in a decoded image or a typed error: no crash, no hang, no raw error.
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../engine/io/image.ts';
import { ReverieIoError } from '../engine/io/errors.ts';
import { readPngTexts } from '../engine/io/pngText.ts';
import { parseRecipe, RecipeError, DEFAULT_RECIPE } from '../engine/recipe/recipe.ts';
import { seededRandom } from '../engine/shared/random.ts';

const random = seededRandom(20261127);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

/** Byte-level mutations: flips, truncation, splices, length-field damage, repeated chunks. */
function mutate(src: Buffer): Buffer {
  const b = Buffer.from(src);
  switch (Math.floor(random() * 5)) {
    case 0:
      for (let i = 0; i < 1 + random() * 20; i++) b[Math.floor(random() * b.length)] = Math.floor(random() * 256);
      return b;
    case 1:
      return b.subarray(0, Math.floor(random() * b.length));
    case 2: {
      const at = Math.floor(random() * b.length);
      return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256))), b.subarray(at)]);
    }
    case 3: {
      // Huge declared sizes: overwrite 4 bytes after the PNG IHDR tag or a JPEG SOF marker with 0xff.
      const tag = b.indexOf('IHDR') >= 0 ? b.indexOf('IHDR') + 4 : b.indexOf(Buffer.from([0xff, 0xc0])) + 5;
      if (tag > 4) b.fill(0xff, tag, Math.min(b.length, tag + 4));
      return b;
    }
    default: {
      const at = Math.floor(random() * b.length);
      return Buffer.concat([b, b.subarray(at, at + 200)]);
    }
  }
}

async function seeds(): Promise<Buffer[]> {
  const rgb = Buffer.alloc(40 * 30 * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) % 256;
  const img = () => sharp(rgb, { raw: { width: 40, height: 30, channels: 3 } });
  return Promise.all([img().png().toBuffer(), img().jpeg().toBuffer(), img().png({ palette: true }).toBuffer(), img().jpeg({ progressive: true }).toBuffer()]);
}

describe('fuzz', () => {
  it('300 mutated PNG/JPEG files decode or fail with a typed error', async () => {
    const base = await seeds();
    const outcomes = { decoded: 0, typed: 0 };
    for (let i = 0; i < 300; i++) {
      const input = mutate(pick(base));
      try {
        const img = await decodeImage(input, { name: `fuzz-${i}`, maxPixels: 4_000_000 });
        expect(img.rgb.length).toBe(img.width * img.height * 3);
        outcomes.decoded++;
      } catch (err) {
        if (!(err instanceof ReverieIoError)) throw new Error(`case ${i}: untyped ${(err as Error).name}: ${(err as Error).message}`);
        expect(err.message).toContain(`fuzz-${i}`);
        outcomes.typed++;
      }
      // PNG text parsing of the same bytes: a result or a typed error.
      try {
        readPngTexts(input, `fuzz-${i}`);
      } catch (err) {
        // Typed, naming the file: a bare RangeError (a read past the end) would be a bug in the reader.
        if (!(err instanceof ReverieIoError)) throw new Error(`case ${i}: readPngTexts threw ${(err as Error).name}: ${(err as Error).message}`);
        expect(err.message).toContain(`fuzz-${i}`);
      }
    }
    console.log('[fuzz images]', outcomes);
    expect(outcomes.decoded + outcomes.typed).toBe(300);
    expect(outcomes.typed).toBeGreaterThan(100);
  }, 120_000);

  it('300 mutated recipes validate or fail with a RecipeError', () => {
    const values: unknown[] = [null, -1, 0, 1e9, 2.5, NaN, 'mixed3', '', [], {}, true, [{ name: 'mixed3' }], { name: 1 }];
    const keys = [...Object.keys(DEFAULT_RECIPE), 'extra', '__proto__', 'constructor'];
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const r: Record<string, unknown> = JSON.parse(JSON.stringify(DEFAULT_RECIPE));
      for (let k = 0; k < 1 + random() * 3; k++) {
        const key = pick(keys);
        if (random() < 0.2) delete r[key];
        else r[key] = pick(values);
      }
      const text = JSON.stringify(r);
      try {
        const parsed = parseRecipe(JSON.parse(text), `fuzz-${i}`);
        expect(parsed.version).toBe(1);
        accepted++;
      } catch (err) {
        if (!(err instanceof RecipeError)) throw new Error(`recipe ${i} (${text}): untyped ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
    console.log('[fuzz recipes] accepted', accepted, 'of 300');
    expect(accepted).toBeLessThan(300);
  });
});
