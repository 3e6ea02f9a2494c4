// Request bodies with a limit per call. A body announced larger than the limit is refused before
// any of it is read; one that grows past it is refused as soon as it does, and the rest is drained
// unread, so the client (still sending) gets the 413 instead of a reset connection.
import type { IncomingMessage } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function tooLarge(limit: number): HttpError {
  const size = limit >= 1024 * 1024 ? `${(limit / 1024 / 1024).toFixed(1)} MB` : `${Math.round(limit / 1024)} KB`;
  return new HttpError(413, `The request is too large for this call (at most ${size}).`);
}

/** Stops reading a body we will not use: the rest is discarded as it arrives. */
export function drain(req: IncomingMessage): void {
  req.removeAllListeners('data');
  req.resume();
}

export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const announced = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(announced) && announced > limit) {
    drain(req);
    throw tooLarge(limit);
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('end', onEnd);
        drain(req);
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks, size).toString('utf8'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}
