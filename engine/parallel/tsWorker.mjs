// Worker entry for TypeScript workers: registers tsx in this thread (workers do not inherit the
// parent's loader hooks), then imports the module named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
