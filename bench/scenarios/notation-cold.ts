/**
 * Cold Notation verification (issue 13): an instance with nothing (no token, no connection, no resolution, no
 * verdict cached) verifies one Notation-signed image of the fake registry by digest, with the parts the `notation`
 * format module wires in the Lambda (timestamp and OCSP/CRL checkers, AWS Signer plugins) and a recording
 * transport. Issue 13's target counts the waves after the token: the referrers listing, the signature manifest,
 * the envelope.
 */
import { MemoryStore } from '../../shared/cache/memory-store';
import { TieredTrustCache } from '../../shared/cache/trust-cache';
import { systemClock } from '../../shared/clock';
import { parseReference } from '../../shared/image/reference';
import { verificationPlugins } from '../../shared/notation/aws-signer';
import { OcspCrlRevocationChecker } from '../../shared/notation/revocation/revocation-checker';
import { Rfc3161TimestampVerifier } from '../../shared/notation/timestamp/timestamp-verifier';
import { NotationVerifier } from '../../shared/notation/verifier';
import type { Policy, Rule } from '../../shared/policy/types';
import { OciRegistryClient } from '../../shared/registry/client';
import type { NotationFixture } from '../lib/notation-fixture';
import { countWaves, type WaveCount } from './registry';

/** Round trips after auth for a cold digest reference (issue 13): referrers, signature manifest, envelope. */
export const NOTATION_COLD_TARGET_WAVES = 3;

export interface NotationColdResult extends WaveCount {
  /** The verdict code of the last iteration (SIGNED when it verified). */
  readonly code: string;
}

/** The policy's rule with a `notation:` section (the combined policy of the bench has one). */
export function notationRule(policy: Policy): Rule {
  const rule = policy.rules.find((candidate) => 'notation' in candidate);
  if (!rule) throw new Error('the bench policy has no notation rule');
  return rule;
}

export async function runNotationCold(
  fixture: NotationFixture,
  policy: Policy,
  iterations = 25,
): Promise<NotationColdResult> {
  const rule = notationRule(policy);
  const reference = parseReference(fixture.images[0]!.byDigest);
  let code = '';
  const counted = await countWaves(iterations, async (http) => {
    const store = new MemoryStore();
    const verifier = new NotationVerifier({
      cache: new TieredTrustCache({ store }),
      registry: new OciRegistryClient({ http, store, registries: policy.registries }),
      timestamps: new Rfc3161TimestampVerifier(),
      revocation: new OcspCrlRevocationChecker(),
      plugins: verificationPlugins({ env: {}, clock: systemClock }),
    });
    const verdict = await verifier.verify(reference, rule, { nowMs: Date.now(), signal: AbortSignal.timeout(10_000) });
    code = verdict.code;
    return verdict.allowed && verdict.code === 'SIGNED';
  });
  return { ...counted, code };
}
