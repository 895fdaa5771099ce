/**
 * The "authentic timestamp" check (trust-store-trust-policy.md, signature verification step "Authentic timestamp";
 * notation-go verifyAuthenticTimestamp):
 * - scheme notary.x509.signingAuthority: the signed authenticSigningTime lies within every chain certificate's
 *   validity;
 * - scheme notary.x509 without `tsa` stores (or with `verifyTimestamp: afterCertExpiry` while the chain is still
 *   valid): the chain is valid at the evaluation instant;
 * - otherwise: the RFC 3161 countersignature must verify against the `tsa` stores, the TSA chain must be valid over
 *   the whole [genTime - accuracy, genTime + accuracy] range, and so must the signing chain.
 */
import type { X509Certificate } from 'node:crypto';
import type { EnvelopeContent } from '../envelope/types';
import type { TrustPolicyStatement } from '../policy/trust-policy';
import type { RevocationChecker, TimestampVerifier, TrustStores, VerifiedTimestamp } from '../types';
import { checkChain } from '../x509/chain';
import { type ParsedCertificate, parseCertificate, subjectText } from '../x509/parse';
import type { OutcomeRecorder } from './outcome';

const iso = (ms: number) => new Date(ms).toISOString();

export interface AuthenticTimestampInput {
  readonly envelope: EnvelopeContent;
  readonly chain: readonly ParsedCertificate[];
  readonly statement: TrustPolicyStatement;
  readonly stores: TrustStores;
  readonly nowMs: number;
  readonly signal: AbortSignal;
  readonly timestamps?: TimestampVerifier;
  readonly revocation?: RevocationChecker;
}

/** Runs the check, recording into `rec`; returns the verified timestamp when one was used. */
export async function checkAuthenticTimestamp(
  input: AuthenticTimestampInput,
  rec: OutcomeRecorder,
): Promise<VerifiedTimestamp | undefined> {
  const { envelope, chain, statement, nowMs } = input;
  const check = 'authenticTimestamp';
  if (rec.action(check) === 'skip') return undefined;
  if (envelope.signingScheme === 'notary.x509.signingAuthority') {
    const at = envelope.authenticSigningTimeMs!;
    const bad = chain.find((c) => at < c.notBeforeMs || at > c.notAfterMs);
    if (bad) {
      rec.fail(
        check,
        'CERTIFICATE_EXPIRED',
        `certificate "${subjectText(bad)}" was not valid at the authentic signing time ${iso(at)}`,
      );
    } else rec.pass(check);
    return undefined;
  }
  const tsaStores = statement.trustStores.filter((s) => s.type === 'tsa');
  let useTimestamp = tsaStores.length > 0;
  if (statement.verifyTimestamp === 'afterCertExpiry' && !chain.some((c) => nowMs > c.notAfterMs)) useTimestamp = false;
  if (!useTimestamp) {
    for (const c of chain) {
      if (nowMs < c.notBeforeMs) {
        rec.fail(
          check,
          'CERTIFICATE_EXPIRED',
          `certificate "${subjectText(c)}" is not valid before ${iso(c.notBeforeMs)}`,
        );
        return undefined;
      }
      if (nowMs > c.notAfterMs) {
        rec.fail(check, 'CERTIFICATE_EXPIRED', `certificate "${subjectText(c)}" expired at ${iso(c.notAfterMs)}`);
        return undefined;
      }
    }
    rec.pass(check);
    return undefined;
  }
  if (!envelope.timestampToken) {
    rec.fail(check, 'TIMESTAMP_INVALID', 'the policy trusts TSAs but the signature has no RFC 3161 timestamp');
    return undefined;
  }
  if (!input.timestamps) {
    rec.fail(check, 'TIMESTAMP_INVALID', 'timestamp verification is not available in this build');
    return undefined;
  }
  const tsaRoots: X509Certificate[] = tsaStores.flatMap((s) => input.stores.get('tsa', s.name) ?? []);
  let ts: VerifiedTimestamp;
  try {
    ts = await input.timestamps.verify({ tokenDer: envelope.timestampToken, signature: envelope.signature, tsaRoots });
  } catch (cause) {
    rec.fail(check, 'TIMESTAMP_INVALID', `the timestamp does not verify: ${(cause as Error).message}`);
    return undefined;
  }
  const earliest = ts.genTimeMs - ts.accuracyMs;
  const latest = ts.genTimeMs + ts.accuracyMs;
  let tsaChain: ParsedCertificate[];
  try {
    tsaChain = ts.tsaChain.map((c) => parseCertificate(c.raw));
  } catch (cause) {
    rec.fail(check, 'TIMESTAMP_INVALID', `the TSA chain does not parse: ${(cause as Error).message}`);
    return undefined;
  }
  const tsaRule = checkChain(tsaChain, 'timestamping');
  if (tsaRule) {
    rec.fail(check, 'TIMESTAMP_INVALID', `the TSA chain breaks the rules: ${tsaRule}`);
    return undefined;
  }
  const badTsa = tsaChain.find((c) => earliest < c.notBeforeMs || latest > c.notAfterMs);
  if (badTsa) {
    rec.fail(
      check,
      'TIMESTAMP_INVALID',
      `TSA certificate "${subjectText(badTsa)}" was not valid at the timestamp ${iso(ts.genTimeMs)}`,
    );
    return undefined;
  }
  for (const c of chain) {
    if (earliest < c.notBeforeMs || latest > c.notAfterMs) {
      rec.fail(
        check,
        'CERTIFICATE_EXPIRED',
        `certificate "${subjectText(c)}" (valid ${iso(c.notBeforeMs)} to ${iso(c.notAfterMs)}) may not have been valid at the timestamp ${iso(ts.genTimeMs)} ± ${ts.accuracyMs} ms`,
      );
      return ts;
    }
  }
  // The TSA chain's own revocation belongs to this check (notation-go verifyTimestamp step 5).
  if (rec.action('revocation') !== 'skip' && input.revocation) {
    const status = await input.revocation
      .check(ts.tsaChain, { nowMs, signal: input.signal })
      .catch((e: unknown) => ({ status: 'unavailable' as const, reason: (e as Error).message }));
    if (status.status === 'revoked') {
      rec.fail(check, 'REVOKED', `the TSA certificate is revoked: ${status.reason}`);
      return ts;
    }
    if (status.status === 'unavailable') {
      rec.fail(check, 'REVOCATION_UNAVAILABLE', `the TSA chain's revocation status is unknown: ${status.reason}`);
      return ts;
    }
  }
  rec.pass(check);
  return ts;
}
