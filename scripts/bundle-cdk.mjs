#!/usr/bin/env node
// Builds the construct library of the package into dist/cdk/: `import { NotaryGate } from 'notary-gate'` in a CDK
// app. index.js (CommonJS, as CDK apps mostly are) holds infra/index.ts and what it uses, with aws-cdk-lib and
// constructs left to the app (peer dependencies: one construct tree, one CDK version); validate-policy.js is the
// policy validation the construct runs at synth; types/ holds the declarations tsc emits (typed props). Compiled
// with NOTARY_GATE_PACKAGED, the webhook function deploys the prebuilt dist/webhook/ bundle instead of bundling
// sources the package does not have.
// Usage: node scripts/bundle-cdk.mjs
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleCdk({ outdir = path.join(root, 'dist', 'cdk') } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: {
      index: path.join(root, 'infra', 'index.ts'),
      'validate-policy': path.join(root, 'infra', 'validate-policy-main.ts'),
    },
    outdir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20.19',
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'],
    define: { NOTARY_GATE_PACKAGED: 'true' },
    legalComments: 'external',
    logLevel: 'warning',
  });
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.cdk.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  return { outdir };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outdir } = await bundleCdk();
  process.stdout.write(`${path.relative(process.cwd(), outdir)}: the construct library\n`);
}
