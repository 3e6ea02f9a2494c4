// Opens an image input for decoding: turns file-system failures into ImageDecodeError, and reads
// the first bytes so the format can be sniffed without loading a possibly huge file.
import { open } from 'node:fs/promises';
import { ImageDecodeError } from './errors.ts';

export const HEAD_BYTES = 4096;

export interface ImageInput {
  /** What to hand to sharp: the path (sharp reads only what it needs) or the caller's buffer. */
  src: string | Buffer;
  /** The first HEAD_BYTES bytes (fewer for short files). */
  head: Buffer;
}

export async function openImageInput(input: string | Buffer, name: string): Promise<ImageInput> {
  if (typeof input !== 'string') {
    if (input.length === 0) throw new ImageDecodeError(name, 'image data is empty (0 bytes)');
    return { src: input, head: input.subarray(0, HEAD_BYTES) };
  }
  let handle;
  try {
    handle = await open(input, 'r');
  } catch (err) {
    throw new ImageDecodeError(name, openFailure(err), { cause: err });
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new ImageDecodeError(name, 'this is a folder, not an image file');
    if (stats.size === 0) throw new ImageDecodeError(name, 'file is empty (0 bytes)');
    const head = Buffer.alloc(Math.min(HEAD_BYTES, stats.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { src: input, head: head.subarray(0, bytesRead) };
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError(name, openFailure(err), { cause: err });
  } finally {
    await handle.close();
  }
}

function openFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'file does not exist; check the path';
    case 'EISDIR':
      return 'this is a folder, not an image file';
    case 'EACCES':
    case 'EPERM':
      return 'file cannot be read: permission denied';
    case 'ENOTDIR':
      return 'file does not exist: part of the path is a file, not a folder';
    default:
      return `file cannot be read (${code ?? (err instanceof Error ? err.message : String(err))})`;
  }
}
