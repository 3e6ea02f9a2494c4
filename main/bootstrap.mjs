// Electron's entry ("main" in package.json): registers tsx, then runs main.ts, as the CLI does.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
