#!/usr/bin/env node
// Runs the TypeScript source through tsx (resolved from the repo's node_modules), so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
