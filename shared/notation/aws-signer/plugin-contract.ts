/**
 * The plugin and trust-store seams of the Notation core, as this module uses them. They mirror
 * `shared/notation/types.ts` of the Notation core exactly; once that file is on main this one only re-exports it.
 */
import type { X509Certificate } from 'node:crypto';

export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';

export type CheckOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly reason: string };

export interface ExtendedAttribute {
  readonly value: unknown;
  readonly critical: boolean;
}

export interface PluginInput {
  readonly extendedAttributes: ReadonlyMap<string, ExtendedAttribute>;
  readonly signingScheme: SigningScheme;
  readonly authenticSigningTimeMs?: number;
  readonly signingTimeMs?: number;
  /** Leaf first. */
  readonly chain: X509Certificate[];
  readonly trustedIdentities: readonly string[];
  readonly nowMs: number;
  readonly signal: AbortSignal;
}

export interface PluginResult {
  readonly identity: CheckOutcome;
  readonly revocation: CheckOutcome;
  readonly processedAttributes: readonly string[];
}

export interface VerificationPlugin {
  readonly name: string;
  readonly version: string;
  verify(input: PluginInput): Promise<PluginResult>;
}

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

export interface TrustStores {
  get(type: TrustStoreType, name: string): readonly X509Certificate[] | undefined;
}
