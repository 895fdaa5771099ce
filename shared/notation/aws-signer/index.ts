/**
 * AWS Signer for the Notation format, in one import: the plugin wired to the real Signer API, the built-in trust
 * stores, and the load- and deploy-time rules. The Notation module composes these; nothing here loads the AWS SDK
 * until a signature's revocation is first checked.
 */
import type { Clock } from '../../clock';
import type { PluginRegistry, VerificationPlugin } from '../types';
import { createAwsSignerPlugin } from './plugin';
import { SignerRevocation } from './revocation';
import { type SignerRevocationApi, signerRevocationApiFromEnv } from './signer-api';

export { signerRevocationRegions } from './deployment';
export { AWS_SIGNER_PLUGIN_NAME, AWS_SIGNER_PLUGIN_VERSION, createAwsSignerPlugin } from './plugin';
export { SIGNER_ENDPOINT_ENV } from './signer-api';
export { awsSignerTrustPolicyProblems } from './trust-policy';
export { BUILT_IN_TRUST_STORES, builtInTrustStores, reservedTrustStoreProblem } from './trust-stores';

export interface AwsSignerPluginsOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  /** Injected in tests; by default the SDK client (honouring AWS_ENDPOINT_URL_SIGNER). */
  readonly api?: SignerRevocationApi;
}

/** The AWS Signer plugin on the real (or injected) Signer API, one per cold start: its answer cache is per process. */
export function createAwsSignerPluginFromEnv(options: AwsSignerPluginsOptions): VerificationPlugin {
  const api = options.api ?? signerRevocationApiFromEnv(options.env);
  return createAwsSignerPlugin({ revocation: new SignerRevocation({ api, clock: options.clock }) });
}

/** The plugins notary-gate implements, by the name envelopes give: only AWS Signer's. */
export function verificationPlugins(options: AwsSignerPluginsOptions): PluginRegistry {
  const plugin = createAwsSignerPluginFromEnv(options);
  return new Map([[plugin.name, plugin]]);
}
