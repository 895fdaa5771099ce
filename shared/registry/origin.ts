/**
 * Who the registry transport is talking to, for the errors it raises. The transport and the token auth are shared
 * by every signature format (Notary v1 servers, OCI registries, ...); each caller labels its requests with its
 * origin, so that an outage or a bad answer comes back with that format's stable codes and names the right
 * setting, without the transport knowing any format.
 */
import type { VerdictCode } from '../errors';

export interface OriginLabel {
  /** How people call this origin, starting a sentence: `Notary`, `Registry`. */
  readonly name: string;
  /** Code of "the origin cannot be reached" (down, timeout, deadline passed, TLS refused). */
  readonly unreachableCode: VerdictCode;
  /** Code of "the origin answered something unusable" (caps, bad redirects, bad token answers). */
  readonly errorCode: VerdictCode;
  /** The policy setting that holds this origin's credentials, for messages: `the rule's notary.auth`. */
  readonly credentialsSetting: string;
  /**
   * The `format` dimension of this origin's OriginRequests / OriginErrors / TokenRequests (`notary-v1`, or
   * `registry` for OCI registries, which several formats and tag resolution share).
   */
  readonly format: string;
}
