import { describe, expect, it } from 'vitest';
import { extensionOf, sniffFormat } from './formats.ts';

const ftyp = (...brands: string[]): Buffer => {
  const box = Buffer.alloc(8 + 4 * (brands.length + 1));
  box.writeUInt32BE(box.length, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(brands[0] ?? '', 8, 'latin1');
  brands.slice(1).forEach((b, i) => box.write(b, 16 + 4 * i, 'latin1'));
  return box;
};

describe('sniffFormat', () => {
  it.each([
    ['89504e470d0a1a0a0000', { supported: true, format: 'png' }],
    ['ffd8ffe000', { supported: true, format: 'jpeg' }],
    ['474946383961', { supported: true, format: 'gif' }],
    ['52494646000000005745425056503820', { supported: true, format: 'webp' }],
    ['49492a00', { supported: true, format: 'tiff' }],
    ['4d4d002b', { supported: true, format: 'tiff' }],
    ['38425053', { supported: false, label: 'Photoshop (PSD)' }],
    ['255044462d312e37', { supported: false, label: 'PDF' }],
    ['ff0a', { supported: false, label: 'JPEG XL' }],
    ['0000000c6a5020200d0a870a', { supported: false, label: 'JPEG 2000' }],
    ['424d000000000000000000000000280000000000', { supported: false, label: 'BMP' }],
    ['68656c6c6f', null],
  ])('%s', (hex, want) => {
    expect(sniffFormat(Buffer.from(hex, 'hex'))).toEqual(want);
  });

  it('reads ISO-BMFF brands to tell AVIF from HEIC', () => {
    expect(sniffFormat(ftyp('avif', 'mif1', 'miaf'))).toEqual({ supported: true, format: 'avif' });
    expect(sniffFormat(ftyp('mif1', 'avif'))).toEqual({ supported: true, format: 'avif' });
    expect(sniffFormat(ftyp('heic', 'mif1'))).toEqual({ supported: false, label: 'HEIC' });
    expect(sniffFormat(ftyp('mif1', 'miaf'))).toEqual({ supported: false, label: 'HEIF' });
    expect(sniffFormat(ftyp('isom', 'mp41'))).toEqual({ supported: false, label: 'a video (MP4/MOV)' });
  });

  it('spots SVG after an XML prolog and comments', () => {
    const svg = '<?xml version="1.0"?>\n<!-- made by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"/>';
    expect(sniffFormat(Buffer.from(svg))).toEqual({ supported: false, label: 'SVG' });
  });

  it('extracts extensions for messages', () => {
    expect(extensionOf('dir/Photo.JPG')).toBe('jpg');
    expect(extensionOf('README')).toBeNull();
  });
});
