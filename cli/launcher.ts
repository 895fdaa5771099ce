/**
 * The bin of the installed package (dist/cli/notary-gate.cjs, built by scripts/bundle-cli.mjs): answers `--help`
 * and `--version` from the texts captured at build time (./static-answers.ts), and otherwise turns on node's
 * on-disk compile cache (Node.js 22.1+; absent on Node 20) and loads the real program (dist/cli/main.mjs, the
 * bundle of ./main.ts), whose commands load their own chunks on first use.
 */
import module from 'node:module';
import { type StaticTexts, staticAnswer } from './static-answers';

/** Injected by scripts/bundle-cli.mjs (esbuild `define`). */
declare const NOTARY_GATE_STATIC_TEXTS: StaticTexts;

/** A variable, not a literal: the program is the sibling bundle, never bundled into this file. */
const PROGRAM = './main.mjs';

const answer = staticAnswer(process.argv.slice(2), NOTARY_GATE_STATIC_TEXTS, process.stdout);
if (answer !== undefined) {
  process.stdout.write(answer);
} else {
  // Compiled code of every chunk, cached per node version and file contents (a no-op where unsupported).
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  void import(PROGRAM);
}
