#!/usr/bin/env node
// Bundles the Lambda entry (functions/webhook.ts, which exports `handler`) into dist/webhook/: `index.mjs` (the
// handler `index.handler`) and the chunks it imports. The artefact CDK deploys (infra/webhook-function.ts runs this
// script at synth; the package ships its output) and the one the tests invoke: what the tests invoke is what ships.
//
// Shaped for the cold start (issue 13; docs/performance.md, "Lambda module init"):
// - ES modules with code splitting, so that every `import()` of a part a policy may never use (the Notation
//   verifier with pkijs, asn1js and cborg, the Secrets Manager, ECR and Signer clients) is a chunk of its own that
//   the runtime reads only when an admission first needs it. In one CommonJS file, node parsed all of it at init:
//   the Notation libraries alone are more than half the bytes.
// - The AWS SDK v3 bundled from its ES module builds (`module` before `main`), so esbuild keeps only the clients
//   and commands the webhook uses instead of loading each package's whole CommonJS build from the runtime's
//   node_modules. It also pins the SDK the tests ran: the runtime's copy changes under the function, unannounced.
// CommonJS packages inside the bundle get a real `require` (createRequire) for Node's built-in modules.
// Usage: node scripts/bundle.mjs [--outdir DIR] [--entry FILE] [--report FILE]
// (--report writes the returned figures, the init outputs and esbuild's metafile as JSON, for the bundle tests)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The handler module: `index.handler` resolves to it (Lambda tries index.js, index.mjs and index.cjs). */
export const HANDLER_FILE = 'index.mjs';
export const DEFAULT_ENTRY = path.join(root, 'functions', 'webhook.ts');
/** The oldest Node.js the function runs on: the stack deploys nodejs24.x; node22 keeps older runtimes working. */
const TARGET = 'node22';

/** What a build writes, and an older CommonJS build wrote (index.js would shadow index.mjs): removed first. */
const OUTPUTS = ['chunks', HANDLER_FILE, `${HANDLER_FILE}.map`, 'index.js', 'index.js.map'];

/**
 * Builds the bundle into `outdir` (its earlier outputs removed, anything else left). Returns the handler file, the
 * outputs a cold start reads before the first event (the handler and the chunks it imports statically:
 * `initOutputs`, repository-relative) and their bytes (`initBytes`), the bytes of all code (`bytes`, source maps
 * aside), and esbuild's metafile.
 */
export async function bundleWebhook({ outdir = path.join(root, 'dist', 'webhook'), entry = DEFAULT_ENTRY } = {}) {
  for (const name of OUTPUTS) rmSync(path.join(outdir, name), { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const { metafile } = await build({
    entryPoints: { index: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: TARGET,
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'none',
    banner: {
      js: [
        "import { createRequire as __notaryGateCreateRequire } from 'node:module';",
        'const require = __notaryGateCreateRequire(import.meta.url);',
      ].join('\n'),
    },
    // Paths in the metafile are relative to the repository, wherever the script runs from.
    absWorkingDir: root,
    metafile: true,
    logLevel: 'warning',
  });
  const outfile = path.join(outdir, HANDLER_FILE);
  const code = Object.entries(metafile.outputs).filter(([file]) => !file.endsWith('.map'));
  const bytes = code.reduce((sum, [, output]) => sum + output.bytes, 0);
  const initOutputs = [...staticallyImported(metafile, path.relative(root, outfile))];
  const initBytes = initOutputs.reduce((sum, file) => sum + metafile.outputs[file].bytes, 0);
  return { outfile, bytes, initOutputs, initBytes, metafile };
}

/** The output files a module loads before its first line runs: itself and, transitively, its static imports. */
function staticallyImported(metafile, start) {
  const seen = new Set();
  const pending = [start];
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { path: imported, kind, external } of metafile.outputs[file]?.imports ?? []) {
      if (kind === 'import-statement' && !external) pending.push(imported);
    }
  }
  return seen;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const option = (name) => {
    const index = process.argv.indexOf(name);
    return index > 0 ? path.resolve(process.argv[index + 1]) : undefined;
  };
  const outdir = option('--outdir');
  const entry = option('--entry');
  const reportFile = option('--report');
  const built = await bundleWebhook({ ...(outdir && { outdir }), ...(entry && { entry }) });
  const { outfile, bytes, initBytes } = built;
  if (reportFile) writeFileSync(reportFile, JSON.stringify(built));
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  process.stdout.write(`${path.relative(process.cwd(), outfile)}: ${kib(initBytes)} at init, ${kib(bytes)} in all\n`);
}
