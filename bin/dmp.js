#!/usr/bin/env node
// The CLI from its TypeScript sources, through tsx's loader (a dev dependency): for a checkout, no build
// needed (`node bin/dmp.js …`, `npm run dmp -- …`). The packages' `dmp` bin is the built cli/dist/dmp.mjs
// (`npm run build:cli`, docs/build.md).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
