// Utility-process bootstrap: TypeScript sources run through tsx, as the CLI does.
import { register } from 'tsx/esm/api';

register();
await import('./engineProcess.ts');
