// One message as one binary WebSocket frame: a 4-byte header length, the JSON header, padding to a
// 4-byte boundary, then the message's Float32Array (pixels or gradient) as raw little-endian floats.
// JSON alone would triple a 299x299 tile's bytes and cost a parse of ~270k numbers per step.
import type { WindowMessage } from './protocol.ts';

const ARRAY_FIELDS = ['pixels', 'gradient'] as const;

export class FrameError extends Error {
  override name = 'FrameError';
}

export function encodeFrame(message: WindowMessage): Uint8Array {
  const field = ARRAY_FIELDS.find((f) => f in message);
  const data = field ? ((message as unknown as Record<string, Float32Array>)[field] as Float32Array) : new Float32Array(0);
  const header = new TextEncoder().encode(JSON.stringify({ ...message, ...(field ? { [field]: null, arrayField: field } : {}) }));
  const start = Math.ceil((4 + header.length) / 4) * 4;
  const out = new Uint8Array(start + data.byteLength);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), start);
  return out;
}

export function decodeFrame(frame: Uint8Array): WindowMessage {
  if (frame.byteLength < 4) throw new FrameError('frame shorter than its header length');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const length = view.getUint32(0, true);
  if (4 + length > frame.byteLength) throw new FrameError('frame shorter than its header');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + length))) as Record<string, unknown>;
  } catch {
    throw new FrameError('frame header is not JSON');
  }
  if (!header || typeof header !== 'object' || typeof header['type'] !== 'string') throw new FrameError('frame header has no type');
  const field = header['arrayField'];
  delete header['arrayField'];
  if (field === 'pixels' || field === 'gradient') {
    const start = Math.ceil((4 + length) / 4) * 4;
    const bytes = frame.slice(start); // a copy: aligned, and owned by the message
    if (bytes.byteLength % 4 !== 0) throw new FrameError('frame data is not whole floats');
    header[field] = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  return header as unknown as WindowMessage;
}
