// NOT Electron. Gives an engine process started under plain Node the `process.parentPort` that
// Electron's utilityProcess provides. It prints what the engine posts as JSON lines (bytes are
// summarised), sends the job in $REVERIE_STAND_IN_JOB once the engine is ready, writes a finished
// dream's PNG to $REVERIE_STAND_IN_PNG, and exits when the engine is done or failed. Loaded with
// `node --import` before the compiled engine entry.
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';

const PREFIX = 'REVERIE_ENGINE_MESSAGE ';
const job = process.env['REVERIE_STAND_IN_JOB'] ? JSON.parse(process.env['REVERIE_STAND_IN_JOB']) : null;
const port = new EventEmitter();
// Buffers reach a replacer already turned into { type: 'Buffer', data }.
const bytes = (key, value) => (value?.type === 'Buffer' && Array.isArray(value.data) ? { bytes: value.data.length } : value);

port.postMessage = (message) => {
  if (message?.type !== 'progress') process.stdout.write(`${PREFIX}${JSON.stringify(message, bytes)}\n`);
  if (message?.type === 'ready' && job) {
    void Promise.resolve().then(() => port.emit('message', { data: { type: 'job', job, previewIntervalMs: 0, appVersion: 'stand-in' } }));
    return;
  }
  if (message?.type === 'done' && message.output?.png && process.env['REVERIE_STAND_IN_PNG']) writeFileSync(process.env['REVERIE_STAND_IN_PNG'], message.output.png);
  if (['ready', 'start-failed', 'done', 'failed'].includes(message?.type)) process.exit(0);
};
process.parentPort = port;
