/** An OCI registry as an origin of the shared transport: REGISTRY_* codes, and messages that name the host. */
import type { OriginLabel } from './origin';

/** The `format` dimension of registry requests: shared by Notation, AWS Signer and tag resolution. */
export const REGISTRY_METRIC_FORMAT = 'registry';

export function registryOrigin(host: string): OriginLabel {
  return {
    name: `Registry ${host}`,
    unreachableCode: 'REGISTRY_UNREACHABLE',
    errorCode: 'REGISTRY_ERROR',
    credentialsSetting: `registries["${host}"].auth`,
    format: REGISTRY_METRIC_FORMAT,
  };
}
