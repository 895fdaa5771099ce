#!/usr/bin/env node
// Runs a TypeScript file (benchmarks, scripts, the CDK app) through tsx: `node bin/run-ts.js FILE [ARGS...]`.
// Both of tsx's hooks: the CommonJS one for static imports, the ESM one for the lazy `await import('./x')` of the
// code (Notation's implementation, command bodies), which node's ES module loader resolves. (The ESM hook registers
// through tsx's .mjs API: its CommonJS build resolves its own loader path wrongly.)
require('tsx/cjs/api').register();
const path = require('node:path');
const file = process.argv[2];
process.argv.splice(1, 2, path.resolve(file));
import('tsx/esm/api').then(({ register }) => {
  register();
  require(path.resolve(file));
});
