/**
 * How to reach one OCI registry, by `host[:port]` as image names spell it (lower case): the `registries:` section
 * of the policy, resolved (files read, credentials looked up), plus what follows from the host name alone
 * (Docker Hub's API host, ECR's account and region). A host the policy does not name is reached over https with
 * the system's CAs and anonymous (or token) auth.
 */

import { withoutTrailingSlashes } from '../url';
import type { EcrHost } from './ecr-host';
import { parseEcrHost } from './ecr-host';
import type { BasicCredentials } from './token-auth';

/** A registry entry of the policy, resolved by the loader. */
export interface RegistryConfig {
  /** Extra CA (PEM) for the registry's TLS, besides the system roots. */
  readonly ca: string | undefined;
  /** Plain HTTP (loopback hosts only; the schema refuses it elsewhere). */
  readonly plainHttp: boolean;
  /** Where to connect instead of the host (a proxy, a local fake): `https://127.0.0.1:5443`. */
  readonly endpoint: string | undefined;
  /** Basic credentials (for the registry's Basic auth or its token realm); absent: anonymous, or ECR's. */
  readonly auth: BasicCredentials | undefined;
}

/** `registries:` of the policy, resolved: host (lower case, with port when given) -> settings. */
export type RegistriesConfig = Readonly<Record<string, RegistryConfig>>;

/** Everything the client needs to talk to one registry. */
export interface RegistryTarget {
  /** The host as image names spell it, lower case: `docker.io`, `127.0.0.1:5000`. Scopes and caches use it. */
  readonly host: string;
  /** Base URL requests go to: `https://registry-1.docker.io`, or the configured endpoint. */
  readonly baseUrl: string;
  readonly ca: string | undefined;
  readonly credentials: BasicCredentials | undefined;
  /** Set for ECR hosts: authenticated with GetAuthorizationToken. */
  readonly ecr: EcrHost | undefined;
  /** The policy field holding this host's settings, for messages: `registries["docker.io"]`. */
  readonly setting: string;
}

/** Docker Hub's registry API is not served at `docker.io` itself. */
const API_HOSTS: Readonly<Record<string, string>> = { 'docker.io': 'registry-1.docker.io' };

/** The target for a registry host, from the policy's entry for it when there is one. */
export function registryTarget(host: string, registries: RegistriesConfig = {}): RegistryTarget {
  const key = host.toLowerCase();
  const config = Object.hasOwn(registries, key) ? registries[key] : undefined;
  const scheme = config?.plainHttp ? 'http' : 'https';
  const baseUrl = withoutTrailingSlashes(config?.endpoint ?? `${scheme}://${API_HOSTS[key] ?? key}`);
  return {
    host: key,
    baseUrl,
    ca: config?.ca,
    credentials: config?.auth,
    ecr: config?.auth ? undefined : parseEcrHost(key.replace(/:\d+$/, '')),
    setting: `registries["${key}"]`,
  };
}
