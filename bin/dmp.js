#!/usr/bin/env node
// The `dmp` command of the package: runs the TypeScript CLI through tsx's loader, no build step needed.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
