/**
 * The remembered trust state of a repository: the root trusted last and the highest version seen per role (the
 * rollback floors). It is what turns trust on first use into "first use once" and what stops replays across cold
 * starts, so it is read strictly and written only by compare-and-swap:
 *
 * - read from the authoritative tier (DynamoDB when configured, never the memory copy in front of it), on every
 *   trip to the Notary server: another instance may have seen a key rotation or newer metadata since;
 * - a store that cannot answer (down, timeout, open circuit, keys left unprocessed) is not a miss. The state this
 *   process verified itself is used instead; without one the repository is denied with TRUST_STATE_UNAVAILABLE;
 * - a new root is written only as a compare-and-swap on the root it was verified from (TUF 5.3: a new root chains
 *   from the latest trusted root); when another instance swapped first, the caller verifies again from that one;
 * - floors only move up: merged per role with what is stored, written by compare-and-swap, retried on a race.
 */
import { BoundedMap } from '../cache/bounded-map';
import { CacheStoreUnavailableError } from '../cache/store-errors';
import type { KeyValueStore, StoredItem } from '../cache/types';
import { TrustError } from '../errors';
import { METRIC, type Observer, silentObserver } from '../observer';
import type { TrustIdentity } from './trust-identity';
import type { RoleVersions, VerifiedTrust } from './tuf/types';

/** The root and floors must outlive any cache entry: they are the memory that stops rollbacks. */
export const TRUST_STATE_TTL_MS = 10 * 365 * 24 * 3600 * 1000;
/** Repositories whose verified state this process keeps for outages (a few hundred bytes each, plus the root). */
export const MAX_LOCAL_TRUST_STATES = 10_000;
/** Compare-and-swap attempts on the floors before giving up on sharing them (each retry follows another writer). */
const MAX_FLOOR_WRITE_ATTEMPTS = 3;

export interface TrustStateKeys {
  readonly root: string;
  readonly versions: string;
}

/** `root#<server>#<gun>` for trust-on-first-use rules (the layout before pins counted), `…#pins:<fp>` when pinned. */
export function stateKeysOf(identity: TrustIdentity): TrustStateKeys {
  const base = `${identity.server}#${identity.gunKey}${identity.pins === 'tofu' ? '' : `#pins:${identity.pins}`}`;
  return { root: `root#${base}`, versions: `versions#${base}` };
}

/** What a verification starts from. */
export interface TrustState {
  /** The root trusted before; undefined: trust on first use. */
  readonly trustedRoot: Uint8Array | undefined;
  readonly minVersions: RoleVersions | undefined;
  /** `store`: read from the shared store just now; `local`: the store could not answer, this process's own. */
  readonly source: 'store' | 'local';
  /** The items as read (for compare-and-swap); only when source is `store`. */
  readonly basis?: { readonly root?: StoredItem<string>; readonly versions?: StoredItem<RoleVersions> };
}

/** What remember() did: `conflict` means another instance swapped in a different root first. */
export type RememberOutcome = 'remembered' | 'conflict';

interface LocalState {
  readonly root: string;
  readonly rootVersion: number;
  readonly versions: RoleVersions;
}

export interface TrustStateStoreDeps {
  readonly store: KeyValueStore;
  readonly observer?: Observer;
  readonly maxLocalStates?: number;
}

export class TrustStateStore {
  readonly #store: KeyValueStore;
  readonly #observer: Observer;
  /** State this process verified, by root key, least recently used first. */
  readonly #local: BoundedMap<string, LocalState>;

  constructor(deps: TrustStateStoreDeps) {
    this.#store = deps.store;
    this.#observer = deps.observer ?? silentObserver;
    this.#local = new BoundedMap(deps.maxLocalStates ?? MAX_LOCAL_TRUST_STATES);
  }

  /**
   * The state to verify from. Issue it in the same tick as other shared reads (they share one BatchGetItem).
   * Rejects with TrustError TRUST_STATE_UNAVAILABLE when the store cannot answer and this process verified nothing.
   */
  async read(identity: TrustIdentity, nowMs: number): Promise<TrustState> {
    const keys = stateKeysOf(identity);
    const local = this.#localState(keys.root);
    let root: StoredItem<string> | undefined;
    let versions: StoredItem<RoleVersions> | undefined;
    try {
      [root, versions] = await Promise.all([
        this.#strictGet<string>(keys.root, nowMs),
        this.#strictGet<RoleVersions>(keys.versions, nowMs),
      ]);
    } catch (caught) {
      // Stores in shared/cache reject only with CacheStoreUnavailableError; any rejection means "unknown" here.
      const error = caught instanceof Error ? caught : new CacheStoreUnavailableError(String(caught));
      this.#observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'trust_state_unavailable' });
      if (local) {
        this.#observer.warn('trust state store unavailable; verifying from the state this instance verified', {
          key: keys.root,
        });
        return { trustedRoot: decodeRoot(local.root), minVersions: local.versions, source: 'local' };
      }
      this.#observer.warn('trust state store unavailable and nothing verified here; denying', { key: keys.root });
      throw new TrustError(
        'TRUST_STATE_UNAVAILABLE',
        `The remembered root and version floors of ${identity.gunKey} cannot be read (${error.message}), and this ` +
          'instance has not verified it before: refusing to trust it on first use. Retry when the cache table answers.',
        { cause: error },
      );
    }
    const storedRoot = typeof root?.value === 'string' ? root : undefined;
    // This process's own state adds to the store's: a floor it raised while the store was away is not lost, and a
    // root it verified is not given up for nothing (an absent item, a table restored from an older backup).
    const useLocalRoot = local && (!storedRoot || local.rootVersion > (root?.version ?? rootVersionOf(storedRoot)));
    return {
      trustedRoot: useLocalRoot ? decodeRoot(local.root) : storedRoot && decodeRoot(storedRoot.value),
      minVersions: maxVersions(isVersions(versions?.value) ? versions.value : undefined, local?.versions),
      source: 'store',
      basis: { root: storedRoot, versions: isVersions(versions?.value) ? versions : undefined },
    };
  }

  /**
   * Remembers what `trust` verified from `state`: locally at once, then in the store by compare-and-swap.
   * `conflict`: another instance stored a different root since `state` was read; verify again from a new read.
   */
  async remember(
    identity: TrustIdentity,
    state: TrustState,
    trust: VerifiedTrust,
    nowMs: number,
  ): Promise<RememberOutcome> {
    const keys = stateKeysOf(identity);
    const floors = maxVersions(state.minVersions, trust.versions) ?? {};
    this.#setLocal(keys.root, { root: trust.root, rootVersion: trust.rootVersion, versions: floors });
    if (state.source === 'local') return 'remembered'; // the store is away; the next trip there shares it
    const timing = { storedAtMs: nowMs, expiresAtMs: nowMs + TRUST_STATE_TTL_MS };

    const basisRoot = state.basis?.root;
    if (basisRoot?.value !== trust.root) {
      const next = { ...timing, value: trust.root, version: trust.rootVersion };
      const outcome = await this.#swap(keys.root, basisRoot, next);
      if (outcome === 'refused') {
        const now = await this.#strictGet<string>(keys.root, nowMs).catch(() => undefined);
        if (now?.value !== trust.root) return 'conflict';
      }
    }

    let basis = state.basis?.versions;
    let merged = floors;
    for (let attempt = 0; attempt < MAX_FLOOR_WRITE_ATTEMPTS && !sameVersions(basis?.value, merged); attempt++) {
      const next = { ...timing, value: merged, version: merged.timestamp ?? 0 };
      if ((await this.#swap(keys.versions, basis, next)) !== 'refused') break;
      basis = await this.#strictGet<RoleVersions>(keys.versions, nowMs).catch(() => undefined);
      merged = maxVersions(isVersions(basis?.value) ? basis.value : undefined, merged) ?? merged;
    }
    return 'remembered';
  }

  async #strictGet<T>(key: string, nowMs: number): Promise<StoredItem<T> | undefined> {
    return this.#store.getStrict ? this.#store.getStrict<T>(key, nowMs) : this.#store.get<T>(key, nowMs);
  }

  async #swap<T>(key: string, expected: StoredItem<T> | undefined, next: StoredItem<T>) {
    let outcome: 'written' | 'refused' | 'unavailable';
    try {
      outcome = this.#store.compareAndSwap ? await this.#store.compareAndSwap(key, expected, next) : 'unavailable';
    } catch {
      outcome = 'unavailable';
    }
    if (outcome === 'unavailable') {
      // The data verified; only sharing it failed. This process keeps it (see read); operators are told.
      this.#observer.count(METRIC.cacheStoreErrors, 1, { name: 'reason', value: 'write_error' });
      this.#observer.warn('could not remember Notary trust state in the shared store', { key });
    }
    return outcome;
  }

  #localState(key: string): LocalState | undefined {
    return this.#local.touch(key);
  }

  #setLocal(key: string, state: LocalState): void {
    const previous = this.#local.get(key);
    const versions = maxVersions(previous?.versions, state.versions) ?? state.versions;
    this.#local.set(key, { ...state, versions });
  }
}

/** Per role, the higher of two floors; undefined when neither has any. */
export function maxVersions(a: RoleVersions | undefined, b: RoleVersions | undefined): RoleVersions | undefined {
  if (!a) return b && { ...b };
  if (!b) return { ...a };
  const merged: RoleVersions = { ...a };
  for (const [role, version] of Object.entries(b)) {
    if (!(Object.hasOwn(merged, role) && merged[role]! >= version)) merged[role] = version;
  }
  return merged;
}

function sameVersions(a: RoleVersions | undefined, b: RoleVersions): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((role) => a[role] === b[role]);
}

function isVersions(value: unknown): value is RoleVersions {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => Number.isSafeInteger(v) && v >= 0)
  );
}

function decodeRoot(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/** The version a stored root item carries, for items written without one. */
function rootVersionOf(item: StoredItem<string>): number {
  return item.version ?? 0;
}
