import { MEDIA_TYPE } from '../../../shared/notation/media-types';
import type { RevocationChecker } from '../../../shared/notation/types';
import { type SignatureVerifyInput, verifySignature } from '../../../shared/notation/verify/verify-signature';
import {
  buildChain,
  coseEnvelope,
  DATES,
  jwsEnvelope,
  type KeySpec,
  statementOf,
  storesOf,
  TARGET,
  type TestChain,
} from '../../harness/notation-kit';

/** A revocation checker that answers "good" and counts calls (the OCSP/CRL one is tested with its own suite). */
function goodRevocation(): RevocationChecker & { calls: number } {
  const checker = {
    calls: 0,
    async check() {
      checker.calls++;
      return { status: 'ok' as const };
    },
  };
  return checker;
}

function inputFor(chain: TestChain, envelope: Uint8Array, mediaType: string): SignatureVerifyInput {
  return {
    descriptor: TARGET,
    envelope,
    envelopeMediaType: mediaType,
    statement: statementOf(),
    stores: storesOf({ 'ca:test': [chain.root] }),
    nowMs: DATES.now.getTime(),
    signal: new AbortController().signal,
    revocation: goodRevocation(),
  };
}

describe('verifySignature', () => {
  describe.each<[KeySpec, KeySpec]>([
    ['p256', 'p256'],
    ['p384', 'p384'],
    ['p521', 'p256'],
    ['rsa2048', 'rsa2048'],
    ['rsa3072', 'p384'],
  ])('with a %s leaf under a %s CA', (leafKey, caKey) => {
    let chain: TestChain;
    beforeAll(async () => {
      chain = await buildChain({ leafKey, caKey });
    });

    it('verifies a JWS envelope and names the signer', async () => {
      const outcome = await verifySignature(inputFor(chain, jwsEnvelope({ chain }), MEDIA_TYPE.jws));
      expect(outcome).toMatchObject({ verified: true, warnings: [], target: TARGET });
      if (!outcome.verified) throw new Error(outcome.reason);
      expect(outcome.signer.subject).toContain('CN=signer');
      expect(outcome.signer.chainSha256).toHaveLength(3);
      expect(outcome.signer.signingTimeMs).toBe(DATES.signedAt.getTime());
    });

    it('verifies a COSE envelope', async () => {
      const outcome = await verifySignature(inputFor(chain, await coseEnvelope({ chain }), MEDIA_TYPE.cose));
      expect(outcome).toMatchObject({ verified: true, warnings: [] });
    });
  });
});
