#!/usr/bin/env node
// The CLI from its TypeScript sources, for work in the checkout (the tests run it): no build step, through tsx.
// The published package runs the compiled bundle instead (dist/cli/notary-gate.cjs, package.json `bin`).
// Both of tsx's hooks: the CommonJS one for static imports, the ESM one for the commands' lazy `await import()`.
// (The ESM hook registers through tsx's .mjs API: its CommonJS build resolves its own loader path wrongly.)
require('tsx/cjs/api').register();
import('tsx/esm/api').then(({ register }) => {
  register();
  require('../cli/main.ts');
});
