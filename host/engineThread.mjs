// Worker-thread bootstrap: registers tsx in this thread (workers do not inherit the parent's
// loader hooks in Node 20), then runs the TypeScript entry, as bin/reverie.js does for the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./engineThread.ts');
