/**
 * The Lambda bundle as deployed: built by the project's own script (scripts/bundle.mjs, the settings CDK uses too)
 * into a folder of the bench, and the environment a process needs to load it outside Lambda: the AWS SDK v3 is
 * external, and the Lambda runtime provides it on NODE_PATH, as node_modules does here.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = path.join(__dirname, '..', '..');

export interface BuiltBundle {
  readonly file: string;
  readonly bytes: number;
}

export async function buildBundle(outdir: string): Promise<BuiltBundle> {
  const script = pathToFileURL(path.join(ROOT, 'scripts', 'bundle.mjs')).href;
  // A runtime import of the project's .mjs script: the same code `npm run build` runs.
  const { bundleWebhook } = (await import(script)) as {
    bundleWebhook(options: { outdir: string }): Promise<{ outfile: string; bytes: number }>;
  };
  const { outfile } = await bundleWebhook({ outdir });
  return { file: outfile, bytes: statSync(outfile).size };
}

/** What the Lambda runtime gives the function process: the SDK on NODE_PATH, a region, no inherited noise. */
export function lambdaLikeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_PATH: path.join(ROOT, 'node_modules'),
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_SERVICE_NAME: 'notary-gate',
    POWERTOOLS_METRICS_NAMESPACE: 'NotaryGate',
    ...extra,
  };
}
