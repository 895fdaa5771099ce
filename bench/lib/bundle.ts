/**
 * The Lambda bundle as deployed: built by the project's own script (scripts/bundle.mjs, which CDK runs too) into a
 * folder of the bench, and the environment the function process has. The bundle carries its AWS SDK clients, so
 * it needs no node_modules.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = path.join(__dirname, '..', '..');

export interface BuiltBundle {
  /** The handler module, index.mjs. */
  readonly file: string;
  /** Bytes of all its code (chunks loaded on first use included, source maps aside). */
  readonly bytes: number;
  /** Bytes of the code node loads before the handler's first line runs. */
  readonly initBytes: number;
}

export async function buildBundle(outdir: string): Promise<BuiltBundle> {
  const script = pathToFileURL(path.join(ROOT, 'scripts', 'bundle.mjs')).href;
  // A runtime import of the project's .mjs script: the same code `npm run build` runs.
  const { bundleWebhook } = (await import(script)) as {
    bundleWebhook(options: { outdir: string }): Promise<{ outfile: string; bytes: number; initBytes: number }>;
  };
  const { outfile, bytes, initBytes } = await bundleWebhook({ outdir });
  return { file: outfile, bytes, initBytes };
}

/**
 * What the function process has: a region, the service names the stack sets (infra/webhook-function.ts; no
 * NODE_OPTIONS: source maps are off by default), no inherited noise.
 */
export function lambdaLikeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_SERVICE_NAME: 'notary-gate',
    POWERTOOLS_METRICS_NAMESPACE: 'NotaryGate',
    ...extra,
  };
}
