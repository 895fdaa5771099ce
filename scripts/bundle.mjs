#!/usr/bin/env node
// Bundles the Lambda entry (functions/webhook.ts, which exports `handler`) into dist/webhook/index.js: the
// artefact CDK deploys and the tests invoke. CommonJS, so the Lambda's `index.handler` works without a package.json
// "type"; everything is bundled, the AWS SDK included, so the deployed code runs the versions the tests ran. The
// settings match the CDK NodejsFunction's bundling (infra/webhook-function.ts): what the tests invoke is what ships.
// Usage: node scripts/bundle.mjs [--outdir DIR]
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the bundle; returns the output file and its size in bytes. */
export async function bundleWebhook({ outdir = path.join(root, 'dist', 'webhook') } = {}) {
  mkdirSync(outdir, { recursive: true });
  const outfile = path.join(outdir, 'index.js');
  await build({
    entryPoints: [path.join(root, 'functions', 'webhook.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: true,
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
