// What the page says to its gradient worker: the model's files (fetched by the page, which holds the
// session credential) and then tiles. The worker answers with the host protocol's own messages.
import type { WindowModelJson } from '../../engine/windowDevice/pageModel.ts';
import type { FromWindow, ToWindow, WindowBackend } from '../../engine/windowDevice/protocol.ts';

export type ToWorker =
  | { type: 'load'; backend: WindowBackend; modelId: string; json: WindowModelJson; weights: ArrayBuffer }
  | Extract<ToWindow, { type: 'gradient' }>;

export type FromWorker = FromWindow;
