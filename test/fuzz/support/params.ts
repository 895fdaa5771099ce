/**
 * fast-check parameters shared by the fuzz tests: a fixed seed and bounded runs, so that `npm test` sees the same
 * cases every time and stays fast. Both can be changed from the environment to explore further:
 * `FUZZ_SEED=123 FUZZ_RUNS_SCALE=20 npx jest test/fuzz`. A failure prints its seed and path, and fast-check
 * shrinks the input to a small counterexample; turn it into a named regression test.
 */
export const FUZZ_SEED = Number.parseInt(process.env.FUZZ_SEED ?? '', 10) || 20261127;

const RUNS_SCALE = Math.max(1, Number.parseFloat(process.env.FUZZ_RUNS_SCALE ?? '') || 1);

export function fuzzParams(numRuns: number): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED, numRuns: Math.round(numRuns * RUNS_SCALE) };
}
