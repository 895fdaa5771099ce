#!/usr/bin/env node
// Runs a TypeScript file (benchmarks, scripts) through tsx: `node bin/run-ts.js FILE [ARGS...]`.
require('tsx/cjs/api').register();
const path = require('node:path');
const file = process.argv[2];
process.argv.splice(1, 2, path.resolve(file));
require(path.resolve(file));
