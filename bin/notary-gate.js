#!/usr/bin/env node
// The CLI runs from the TypeScript sources through tsx, so `npm ci && npx notary-gate` works with no build step.
require('tsx/cjs/api').register();
require('../cli/main.ts');
