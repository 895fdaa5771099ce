/**
 * One repository, one trust identity. Everything remembered about a repository (its verified trust data, its
 * negative entry, its root and version floors) is keyed by the same normalized triple, so that no spelling of the
 * same thing gets a fresh trust-on-first-use slot:
 * - the Notary server as a URL without a trailing slash, host lower-cased (the URL parser does it);
 * - the GUN with its registry host lower-cased (RFC 4343: DNS names compare without regard to case; rules match
 *   case-insensitively too). The path keeps its case: docker refuses upper-case paths, so they never alias. The
 *   GUN sent to the server and checked against root certificates stays as docker writes it;
 * - the pinned root keys, by the SHA-256 of each key's canonical SPKI (sorted), or `tofu`: a trust-on-first-use
 *   rule naming the same repository cannot lock a pinned rule out, and a pinned rule whose owner re-keyed
 *   recovers by pinning the new key (a new identity, with no memory of the old root).
 */
import { createHash } from 'node:crypto';
import type { NotarySettings } from '../policy/types';
import { withoutTrailingSlashes } from '../url';
import { pinnedKeyFingerprints } from './tuf/keys';

export interface TrustIdentity {
  /** `https://notary.example.com` */
  readonly server: string;
  /** The GUN with its registry host in lower case: `registry.example.com/team/app`. */
  readonly gunKey: string;
  /** `tofu`, or a hash of the pinned keys' SPKI fingerprints. */
  readonly pins: string;
}

export function trustIdentity(notary: Pick<NotarySettings, 'server' | 'rootKeys'>, gun: string): TrustIdentity {
  return { server: normalizeServer(notary.server), gunKey: gunKey(gun), pins: pinsFingerprint(notary.rootKeys) };
}

/** The GUN as a key: the registry host (before the first `/`) in lower case. */
export function gunKey(gun: string): string {
  const slash = gun.indexOf('/');
  if (slash < 0) return gun.toLowerCase();
  const host = gun.slice(0, slash);
  const lower = host.toLowerCase();
  return lower === host ? gun : lower + gun.slice(slash);
}

/** Per server string of the loaded policy: parsing a URL on every warm admission is wasted work. */
const servers = new Map<string, string>();
const MAX_REMEMBERED_SERVERS = 1_000;

export function normalizeServer(server: string): string {
  let normalized = servers.get(server);
  if (normalized === undefined) {
    let href: string;
    try {
      href = new URL(server).href;
    } catch {
      href = server; // the policy loader validates servers; a test may pass anything
    }
    normalized = withoutTrailingSlashes(href);
    if (servers.size >= MAX_REMEMBERED_SERVERS) servers.clear();
    servers.set(server, normalized);
  }
  return normalized;
}

/** Per pinned-keys list of the loaded policy: parsing the keys on every image costs the warm path. */
const fingerprints = new WeakMap<readonly string[], string>();

/**
 * `tofu` without pins; otherwise 32 hex digits of the SHA-256 over the sorted, distinct SPKI fingerprints of every
 * pinned key (each PEM block of every entry counts). Throws TrustError ROOT_UNTRUSTED for a pin that is no key.
 */
export function pinsFingerprint(rootKeys: readonly string[]): string {
  let fingerprint = fingerprints.get(rootKeys);
  if (fingerprint === undefined) {
    const pins = [...new Set(rootKeys.flatMap(pinnedKeyFingerprints))].sort();
    fingerprint = pins.length === 0 ? 'tofu' : createHash('sha256').update(pins.join('\n')).digest('hex').slice(0, 32);
    fingerprints.set(rootKeys, fingerprint);
  }
  return fingerprint;
}
