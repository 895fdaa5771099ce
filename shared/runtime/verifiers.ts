import type { Cache } from '../cache/create';
import { FORMAT_MODULES } from '../formats/modules';
import type { Observer } from '../observer';
import type { Policy } from '../policy/types';
import { OciRegistryClient } from '../registry/client';
import type { FormatModule } from '../verify/format';
import type { SignatureVerifier } from '../verify/types';

/**
 * One verifier per signature format (shared/formats/modules.ts), on the shared cache, in the module list's order.
 * A new format is a module and an entry in that list; neither this file nor the engine changes.
 */
export function createVerifiers(
  policy: Policy,
  cache: Cache,
  observer: Observer,
  formats: readonly FormatModule[] = FORMAT_MODULES,
): SignatureVerifier[] {
  const registry = new OciRegistryClient({ store: cache.store, registries: policy.registries, observer });
  return formats.map((module) => module.createVerifier({ policy, cache, observer, registry }));
}
