#!/usr/bin/env node
// Runs the TypeScript CLI directly: the same sources the app and tests use, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
