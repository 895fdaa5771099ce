#!/usr/bin/env node
// Bundles the CLI (cli/main.ts) into dist/cli/: the `bin` of the published package. Three parts:
// - main.cjs, the program: one CommonJS file with our code and the libraries every command needs (commander, yaml,
//   zod, picomatch). CommonJS so that the bin can run it through a V8 code cache (cli/code-cache.ts), which Node.js
//   20 offers only for scripts; the command bodies are in it but evaluated only when their command runs.
// - vendor/, the heavy libraries only some runs load (the AWS SDK clients, pkijs and asn1js, cborg): ES modules
//   with code splitting (the SDK clients share their @smithy chunks), which the program `require`s on first use
//   (require of an ES module: Node.js 20.19+ and 22.12+, package.json engines). Kept out of main.cjs because
//   parsing them costs every run that has no code cache yet.
// - notary-gate.cjs, the bin (cli/launcher.ts), a tiny second bundle: it prints `--help` and `--version` from the
//   texts the built program printed here at build time (so they are commander's own), and runs the program for
//   everything else.
// Everything is bundled: the package has no run-time dependencies, so `npx notary-gate` installs one tarball and
// resolves no node_modules at start. CommonJS packages inside the vendor chunks get a real `require`
// (createRequire) for Node's built-in modules.
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
  const vendored = new Map();
  await build({
    entryPoints: [path.join(root, 'cli', 'main.ts')],
    outfile: path.join(outdir, 'main.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: TARGET,
    // `import()` becomes `require()`: a script run through node:vm may not import() on Node.js 20 (it needs
    // --experimental-vm-modules), and require() of the vendor ES modules is what Node.js 20.19+ and 22.12+ do.
    supported: { 'dynamic-import': false },
    minify: true,
    plugins: [vendorPlugin(vendored), lazyChildProcessForCommander()],
    // Third-party licence texts go to files next to the bundles instead of being dropped.
    legalComments: 'external',
    logLevel: 'warning',
  });
  await build({
    entryPoints: Object.fromEntries(vendored),
    absWorkingDir: root,
    // Their ES module builds: an entry that is a CommonJS module would export only `default` from its chunk.
    mainFields: ['module', 'main'],
    outdir: path.join(outdir, 'vendor'),
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
    legalComments: 'external',
    logLevel: 'warning',
  });
  const main = path.join(outdir, 'main.cjs');
  // The bin: the launcher with the program's own answers to --help and --version, printed by the program just
  // built with stdout not a terminal (commander's 80 columns; the launcher defers to the program at other widths).
  const texts = { help: await printed(main, '--help'), version: await printed(main, '--version'), helpWidth: 80 };
  const entry = path.join(outdir, 'notary-gate.cjs');
  await build({
    entryPoints: [path.join(root, 'cli', 'launcher.ts')],
    outfile: entry,
    bundle: true,
    // CommonJS: node starts a CommonJS main faster than an ES module one (no module loader to set up before the
    // first line runs), which is most of what `--help` costs.
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

/** The libraries that go to vendor/ (matched on the bare specifier our code or main.cjs's libraries import). */
const VENDORED = /^(@aws-sdk\/client-[a-z0-9-]+|pkijs|asn1js|cborg)$/;

/** Resolves each vendored import to its vendor/ file, external to main.cjs; collects them as the vendor entries. */
function vendorPlugin(vendored) {
  return {
    name: 'notary-gate-vendor',
    setup(build) {
      build.onResolve({ filter: /^[@a-z]/ }, ({ path: specifier }) => {
        if (!VENDORED.test(specifier)) return undefined;
        const name = specifier.replace(/^@/, '').replace(/\//g, '-');
        vendored.set(name, specifier);
        return { path: `./vendor/${name}.mjs`, external: true };
      });
    },
  };
}

/**
 * commander requires node:child_process when it loads, for subcommands that are executables of their own, which
 * notary-gate has none of; loading it (with dgram and net's socket lists) is about 5 ms of every start. Its
 * commander copy gets a stand-in that loads the module on first use. Nobody else's imports change.
 */
function lazyChildProcessForCommander() {
  return {
    name: 'notary-gate-lazy-child-process',
    setup(build) {
      build.onResolve({ filter: /^(node:)?child_process$/ }, ({ importer }) =>
        /[\\/]node_modules[\\/]commander[\\/]/.test(importer)
          ? { path: 'child_process', namespace: 'lazy-builtin' }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
        loader: 'js',
        contents: [
          'let loaded;',
          "const load = () => (loaded ??= require('node:child_process'));",
          'module.exports = new Proxy({}, {',
          '  get: (_, key) => load()[key],',
          '  has: (_, key) => key in load(),',
          '  ownKeys: () => Reflect.ownKeys(load()),',
          '  getOwnPropertyDescriptor: (_, key) => ({ ...Object.getOwnPropertyDescriptor(load(), key), configurable: true }),',
          '});',
        ].join('\n'),
      }));
    },
  };
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
  const { entry, entryBytes, mainBytes, bytes } = await bundleCli(outdir ? { outdir } : {});
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  process.stdout.write(
    `${path.relative(process.cwd(), entry)}: ${kib(entryBytes)} for --help and --version; the program (main.cjs) ${kib(mainBytes)}; ${kib(bytes)} in all with the vendor chunks\n`,
  );
}
