#!/usr/bin/env node
// Bundles the CLI (cli/main.ts) into dist/cli/: the `bin` of the published package. ESM with code splitting, so
// that every `await import(...)` of a command body (the webhook handler, the Notary client, the AWS SDK) becomes a
// chunk of its own that loads only when that command runs. The bin itself (cli/launcher.ts) is a second, tiny
// bundle: it prints `--help` and `--version` from the texts the built program printed here at build time (so they
// are commander's own), and loads the program (main.mjs) for everything else. Everything is bundled, the AWS SDK included: the package has no run-time dependencies,
// so `npx notary-gate` installs one tarball and resolves no node_modules at start. CommonJS packages inside the
// bundle get a real `require` (createRequire) for Node's built-in modules.
// Usage: node scripts/bundle-cli.mjs [--outdir DIR]
import { execFile } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The oldest Node.js the package supports (package.json engines). */
const TARGET = 'node20.19';

/**
 * Builds the CLI; returns the bin (`entry`) and the program (`main`), the sizes of each and the total size of all
 * chunks, in bytes.
 */
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
  const main = path.join(outdir, 'main.mjs');
  // The bin: the launcher with the program's own answers to --help and --version, printed by the program just
  // built with stdout not a terminal (commander's 80 columns; the launcher defers to the program at other widths).
  const texts = { help: await printed(main, '--help'), version: await printed(main, '--version'), helpWidth: 80 };
  const entry = path.join(outdir, 'notary-gate.cjs');
  await build({
    entryPoints: [path.join(root, 'cli', 'launcher.ts')],
    outfile: entry,
    bundle: true,
    // CommonJS: node starts a CommonJS main faster than an ES module one (no module loader to set up before the
    // first line runs), which is most of what `--help` costs. Its `import()` of the program stays a real import.
    format: 'cjs',
    platform: 'node',
    target: TARGET,
    minify: true,
    banner: { js: '#!/usr/bin/env node' },
    define: { NOTARY_GATE_STATIC_TEXTS: JSON.stringify(texts) },
    logLevel: 'warning',
  });
  chmodSync(entry, 0o755);
  return { entry, main, entryBytes: statSync(entry).size, mainBytes: statSync(main).size, bytes: totalBytes(outdir) };
}

/** What the built program writes to stdout for one argument (it must exit 0). */
async function printed(main, arg) {
  const { stdout } = await run(process.execPath, [main, arg], { env: { PATH: process.env.PATH ?? '' } });
  return stdout;
}

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
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  process.stdout.write(
    `${path.relative(process.cwd(), entry)}: ${kib(entryBytes)} for --help and --version; the program (main.mjs and its chunks, loaded per command): ${kib(bytes)} in all\n`,
  );
}
