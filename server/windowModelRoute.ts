// GET /window-model/model.json and /window-model/weights.bin: the active model's files for the
// window's gradient worker. Read-only; the caller has checked the page's session credential.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Service } from '../host/service.ts';

export { WINDOW_MODEL_PATH as WINDOW_MODEL_PREFIX } from '../contract/browserAuth.ts';

export async function serveWindowModel(req: IncomingMessage, res: ServerResponse, service: Service, name: string): Promise<void> {
  const reply = (status: number, body: string | Uint8Array, type: string): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (name !== 'model.json' && name !== 'weights.bin') return reply(404, 'Not found.', 'text/plain; charset=utf-8');
  let files;
  try {
    files = await service.windowModelFiles();
  } catch (err) {
    return reply(503, `The model's files could not be read: ${(err as Error).message}`, 'text/plain; charset=utf-8');
  }
  if (name === 'model.json') return reply(200, files.json, 'application/json');
  return reply(200, files.weights, 'application/octet-stream');
}
