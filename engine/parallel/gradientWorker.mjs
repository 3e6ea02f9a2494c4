// Worker-thread bootstrap for a checkout: registers tsx in this thread (workers do not inherit the
// parent's loader hooks in Node 20), then runs the TypeScript worker. The packaged app compiles
// gradientWorker.ts to dist/main/gradientWorker.mjs instead (packaging/compileMain.ts), beside the
// compiled pool, so the same `new URL('./gradientWorker.mjs', import.meta.url)` finds it there.
import { register } from 'tsx/esm/api';

register();
await import('./gradientWorker.ts');
