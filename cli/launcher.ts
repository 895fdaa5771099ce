/**
 * The bin of the installed package (dist/cli/notary-gate.cjs, built by scripts/bundle-cli.mjs): answers `--help`
 * and `--version` from the texts captured at build time (./static-answers.ts), and otherwise runs the real program
 * (dist/cli/main.cjs, the bundle of ./main.ts) through a V8 code cache (./code-cache.ts, loaded only then: what it
 * needs of node, crypto and vm among it, is not what `--help` should pay for). The heavy libraries the program loads
 * on first use only (the AWS SDK, pkijs, cborg) are ES module chunks beside it (dist/cli/vendor/), which node's own
 * compile cache covers where there is one (Node.js 22.1+).
 */
import { type StaticTexts, staticAnswer } from './static-answers';

/** Injected by scripts/bundle-cli.mjs (esbuild `define`). */
declare const NOTARY_GATE_STATIC_TEXTS: StaticTexts;

const args = process.argv.slice(2);
const answer = staticAnswer(args, NOTARY_GATE_STATIC_TEXTS, process.stdout);
if (answer !== undefined) {
  process.stdout.write(answer);
} else {
  void import('./code-cache').then(({ runProgram }) => runProgram(`${__dirname}/main.cjs`, args[0] ?? ''));
}
