import { NotaryGateError } from '../errors';

/**
 * The shared store could not be asked (error, throttling, timeout). Only `getStrict` throws it: callers for which
 * "unknown" must not read as "absent" (the remembered TOFU root, the highest role versions) decide to fail closed.
 */
export class CacheStoreUnavailableError extends NotaryGateError<'CACHE_STORE_UNAVAILABLE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CACHE_STORE_UNAVAILABLE', message, options);
  }
}
