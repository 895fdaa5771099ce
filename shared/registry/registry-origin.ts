/** An OCI registry as an origin of the shared transport: REGISTRY_* codes, and messages that name the host. */
import { METRIC } from '../observer';
import type { OriginLabel } from './origin';

export function registryOrigin(host: string): OriginLabel {
  return {
    name: `Registry ${host}`,
    unreachableCode: 'REGISTRY_UNREACHABLE',
    errorCode: 'REGISTRY_ERROR',
    credentialsSetting: `registries["${host}"].auth`,
    errorsMetric: METRIC.registryErrors,
  };
}
