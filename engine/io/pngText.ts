// PNG text metadata: writes iTXt (UTF-8) chunks and reads tEXt, zTXt and iTXt back.
// Reverie stores its settings as JSON here, so the reader validates structure and CRCs strictly.
import { inflateSync } from 'node:zlib';
import { ImageDecodeError, summarizeDetail } from './errors.ts';
import { encodeChunk, insertChunksBeforeIend, iterateChunks } from './pngChunks.ts';

/** Compressed text may not expand beyond this; guards against zlib bombs in metadata. */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** PNG keywords: 1–79 printable Latin-1 characters, no leading/trailing or doubled spaces. */
export function assertPngKeyword(keyword: string): void {
  const ok =
    keyword.length >= 1 &&
    keyword.length <= 79 &&
    /^[\x20-\x7e\xa1-\xff]+$/.test(keyword) &&
    !keyword.startsWith(' ') &&
    !keyword.endsWith(' ') &&
    !keyword.includes('  ');
  if (!ok) {
    throw new RangeError(
      `PNG text keyword ${JSON.stringify(keyword)} is invalid: use 1–79 printable Latin-1 characters ` +
        'without leading, trailing or double spaces',
    );
  }
}

/** Serialised uncompressed iTXt chunk (no language tag) holding `text` as UTF-8. */
export function encodeITxt(keyword: string, text: string): Buffer {
  assertPngKeyword(keyword);
  const head = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0])]);
  return encodeChunk('iTXt', Buffer.concat([head, Buffer.from(text, 'utf8')]));
}

/** Returns a copy of `png` with one iTXt chunk per entry, inserted before IEND. */
export function addPngTexts(png: Buffer, texts: Readonly<Record<string, string>>, name?: string): Buffer {
  const chunks = Object.entries(texts).map(([k, v]) => encodeITxt(k, v));
  return chunks.length === 0 ? png : insertChunksBeforeIend(png, chunks, name);
}

/**
 * Reads all tEXt, zTXt and iTXt entries. When a keyword repeats, the last chunk wins.
 * Throws ImageDecodeError if the data is not a PNG, a CRC fails, or a text chunk is malformed.
 */
export function readPngTexts(png: Buffer, name = 'PNG data'): Record<string, string> {
  const entries: [string, string][] = [];
  for (const { type, data, offset } of iterateChunks(png, name)) {
    const bad = (why: string, err?: unknown): ImageDecodeError =>
      new ImageDecodeError(name, `PNG ${type} chunk at byte ${offset} is malformed: ${why}`, {
        ...(err === undefined ? {} : { detail: summarizeDetail(err), cause: err }),
      });
    if (type === 'tEXt') entries.push(parseTExt(data, bad));
    else if (type === 'zTXt') entries.push(parseZTxt(data, bad));
    else if (type === 'iTXt') entries.push(parseITxt(data, bad));
  }
  return Object.fromEntries(entries);
}

type Bad = (why: string, err?: unknown) => ImageDecodeError;

/** Splits at the first NUL; the keyword part must be a valid PNG keyword. */
function splitKeyword(data: Buffer, bad: Bad): [string, Buffer] {
  const nul = data.indexOf(0);
  if (nul < 1 || nul > 79) throw bad('missing or overlong keyword');
  return [data.toString('latin1', 0, nul), data.subarray(nul + 1)];
}

function parseTExt(data: Buffer, bad: Bad): [string, string] {
  const [keyword, rest] = splitKeyword(data, bad);
  return [keyword, rest.toString('latin1')];
}

function parseZTxt(data: Buffer, bad: Bad): [string, string] {
  const [keyword, rest] = splitKeyword(data, bad);
  if (rest[0] !== 0) throw bad(`unknown compression method ${rest[0] ?? '(missing)'}`);
  return [keyword, inflate(rest.subarray(1), bad).toString('latin1')];
}

function parseITxt(data: Buffer, bad: Bad): [string, string] {
  const [keyword, rest] = splitKeyword(data, bad);
  const compressed = rest[0];
  const method = rest[1];
  if (compressed !== 0 && compressed !== 1) throw bad('invalid compression flag');
  if (compressed === 1 && method !== 0) throw bad(`unknown compression method ${method ?? '(missing)'}`);
  const langEnd = rest.indexOf(0, 2);
  const transEnd = langEnd < 0 ? -1 : rest.indexOf(0, langEnd + 1);
  if (transEnd < 0) throw bad('missing language tag or translated keyword terminator');
  const body = rest.subarray(transEnd + 1);
  try {
    return [keyword, utf8.decode(compressed === 1 ? inflate(body, bad) : body)];
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw bad('text is not valid UTF-8', err);
  }
}

function inflate(bytes: Buffer, bad: Bad): Buffer {
  try {
    return inflateSync(bytes, { maxOutputLength: MAX_TEXT_BYTES });
  } catch (err) {
    const tooBig = err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw bad(tooBig ? `compressed text expands beyond ${MAX_TEXT_BYTES} bytes` : 'corrupt compressed text', err);
  }
}
