#!/usr/bin/env node
// Bundles the CLI (cli/main.ts) into dist/cli/: the `bin` of the published package. ESM with code splitting, so
// that every `await import(...)` of a command body (the webhook handler, the Notary client, the AWS SDK) becomes a
// chunk of its own that loads only when that command runs: `--help` and `--version` read the entry chunk and
// commander, nothing else. Everything is bundled, the AWS SDK included: the package has no run-time dependencies,
// so `npx notary-gate` installs one tarball and resolves no node_modules at start. CommonJS packages inside the
// bundle get a real `require` (createRequire) for Node's built-in modules.
// Usage: node scripts/bundle-cli.mjs [--outdir DIR]
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The oldest Node.js the package supports (package.json engines). */
const TARGET = 'node20.19';

/** Builds the CLI; returns the entry file, its size and the total size of all chunks, in bytes. */
export async function bundleCli({ outdir = path.join(root, 'dist', 'cli') } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: path.join(root, 'cli', 'main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: TARGET,
    minify: true,
    banner: {
      js: [
        "import { createRequire as __notaryGateCreateRequire } from 'node:module';",
        'const require = __notaryGateCreateRequire(import.meta.url);',
      ].join('\n'),
    },
    chunkNames: 'chunks/[name]-[hash]',
    // Third-party licence texts go to one file next to the chunks instead of being dropped.
    legalComments: 'external',
    logLevel: 'warning',
  });
  // The bin: turns on node's on-disk compile cache (Node.js 22.1+; a no-op before) and only then loads the CLI,
  // so that every chunk, the entry's static imports included, is compiled once per version instead of every run.
  const entry = path.join(outdir, 'notary-gate.mjs');
  writeFileSync(entry, LAUNCHER, { mode: 0o755 });
  const main = path.join(outdir, 'main.mjs');
  return { entry, main, entryBytes: statSync(main).size, bytes: totalBytes(outdir) };
}

const LAUNCHER = `#!/usr/bin/env node
import module from 'node:module';
module.enableCompileCache?.();
await import('./main.mjs');
`;

function totalBytes(dir) {
  let bytes = 0;
  for (const name of readdirSync(dir, { recursive: true })) {
    const stat = statSync(path.join(dir, name));
    if (stat.isFile()) bytes += stat.size;
  }
  return bytes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdirIndex = process.argv.indexOf('--outdir');
  const outdir = outdirIndex > 0 ? path.resolve(process.argv[outdirIndex + 1]) : undefined;
  const { entry, entryBytes, bytes } = await bundleCli(outdir ? { outdir } : {});
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  process.stdout.write(
    `${path.relative(process.cwd(), entry)}: ${kib(entryBytes)} to start (${kib(bytes)} with every chunk)\n`,
  );
}
