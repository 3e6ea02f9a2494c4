import { describe, expect, it } from 'vitest';
import { ImageDecodeError } from './errors.ts';
import { PNG_SIGNATURE, crc32, encodeChunk, insertChunksBeforeIend, iterateChunks } from './pngChunks.ts';

const minimalPng = (): Buffer =>
  Buffer.concat([PNG_SIGNATURE, encodeChunk('IHDR', Buffer.alloc(13, 1)), encodeChunk('IEND', Buffer.alloc(0))]);

describe('pngChunks', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('6789'), crc32(Buffer.from('12345')))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('encodes IEND with its well-known CRC', () => {
    expect(encodeChunk('IEND', Buffer.alloc(0)).toString('hex')).toBe('0000000049454e44ae426082');
  });

  it('iterates chunks with offsets and stops at IEND', () => {
    const png = Buffer.concat([minimalPng(), Buffer.from('trailing junk')]);
    expect([...iterateChunks(png)].map((c) => [c.type, c.offset, c.data.length])).toEqual([
      ['IHDR', 8, 13],
      ['IEND', 33, 0],
    ]);
  });

  it('inserts chunks right before IEND', () => {
    const extra = [encodeChunk('tEXt', Buffer.from('a\0b')), encodeChunk('teST', Buffer.alloc(2))];
    const out = insertChunksBeforeIend(minimalPng(), extra);
    expect([...iterateChunks(out)].map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'teST', 'IEND']);
  });

  it('rejects a missing IEND, bad lengths, bad types and bad CRCs', () => {
    const png = minimalPng();
    expect(() => [...iterateChunks(png.subarray(0, 33), 'a.png')]).toThrow(
      'a.png — PNG is truncated: the file ends at byte 33 before the IEND chunk',
    );
    const long = Buffer.from(png);
    long.writeUInt32BE(1000, 8);
    expect(() => [...iterateChunks(long)]).toThrow(/truncated: the file ends in the IHDR chunk at byte 8/);
    const badType = Buffer.from(png);
    badType[12] = 0x31;
    expect(() => [...iterateChunks(badType)]).toThrow(/invalid chunk type at byte 8/);
    const badCrc = Buffer.from(png);
    badCrc[20] = 0xff - (badCrc[20] as number);
    expect(() => [...iterateChunks(badCrc)]).toThrow(ImageDecodeError);
    expect(() => encodeChunk('no', Buffer.alloc(0))).toThrow(RangeError);
  });
});
