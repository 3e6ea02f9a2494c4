import { describe, expect, it } from 'vitest';
import {
  ImageDecodeError,
  ImageTooLargeError,
  NpyFormatError,
  OutputWriteError,
  ReverieIoError,
  UnsupportedImageError,
  summarizeDetail,
} from './errors.ts';

describe('io errors', () => {
  it('carry a name, the file, and a message that leads with the file', () => {
    const errors = [
      new ImageDecodeError('a.png', 'PNG file is truncated or corrupt', { detail: 'pngload: end of stream' }),
      new UnsupportedImageError('photo.heic', 'HEIC is not supported; convert it to PNG or JPEG', 'HEIC'),
      new ImageTooLargeError('big.tif', 10000, 8000, 64_000_000),
      new OutputWriteError('out/dream.png', 'disk full', 'ENOSPC'),
      new NpyFormatError('w.npy', "dtype '<i4' is not supported"),
    ];
    expect(errors.map((e) => [e.name, e instanceof ReverieIoError, e instanceof Error, e.file])).toEqual([
      ['ImageDecodeError', true, true, 'a.png'],
      ['UnsupportedImageError', true, true, 'photo.heic'],
      ['ImageTooLargeError', true, true, 'big.tif'],
      ['OutputWriteError', true, true, 'out/dream.png'],
      ['NpyFormatError', true, true, 'w.npy'],
    ]);
    expect(String(errors[0])).toBe(
      'ImageDecodeError: a.png — PNG file is truncated or corrupt (pngload: end of stream)',
    );
    expect(String(errors[1])).toBe(
      'UnsupportedImageError: photo.heic — HEIC is not supported; convert it to PNG or JPEG',
    );
    expect(errors[2]?.message).toBe(
      'big.tif — image is 10000×8000 = 80,000,000 pixels, more than the limit of 64,000,000 pixels; ' +
        'downscale it before loading',
    );
  });

  it('keep the cause', () => {
    const cause = new Error('EACCES');
    expect(new OutputWriteError('x', 'folder is not writable', 'EACCES', { cause }).cause).toBe(cause);
  });

  it('summarise multi-line library messages into one line', () => {
    expect(summarizeDetail(new Error('source: bad seek to 10\nheif: Invalid input\nheif: Invalid input\n'))).toBe(
      'heif: Invalid input',
    );
    expect(summarizeDetail('a\nb')).toBe('a; b');
    expect(summarizeDetail('x'.repeat(500)).length).toBe(300);
  });
});
