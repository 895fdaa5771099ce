#!/usr/bin/env node
// Bundles the Lambda entry (functions/webhook.ts, which exports `handler`) into dist/webhook/index.js: the
// artefact CDK deploys and the tests invoke. CommonJS, so the Lambda's `index.handler` works without a package.json
// "type". The AWS SDK v3 (`@aws-sdk/*`) stays external: the Lambda Node.js runtime provides it on its NODE_PATH, and
// bundling it would more than double the bundle and its load time (docs/performance.md). The settings come from
// bundle-settings.json, which the CDK NodejsFunction (infra/webhook-function.ts) reads too: what the tests invoke
// is what ships. A process that requires the bundle outside Lambda finds the SDK through NODE_PATH or a
// node_modules folder above the bundle.
// Usage: node scripts/bundle.mjs [--outdir DIR]
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import settings from './bundle-settings.json' with { type: 'json' };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the bundle; returns the output file and its size in bytes. */
export async function bundleWebhook({ outdir = path.join(root, 'dist', 'webhook') } = {}) {
  mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'index.js');
  await build({
    entryPoints: [path.join(root, settings.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: settings.target,
    format: settings.format,
    minify: settings.minify,
    sourcemap: settings.sourcemap,
    external: settings.external,
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return { outfile, bytes: statSync(outfile).size };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdirIndex = process.argv.indexOf('--outdir');
  const outdir = outdirIndex > 0 ? path.resolve(process.argv[outdirIndex + 1]) : undefined;
  const { outfile, bytes } = await bundleWebhook(outdir ? { outdir } : {});
  process.stdout.write(`${path.relative(process.cwd(), outfile)}: ${(bytes / 1024).toFixed(0)} KiB\n`);
}
