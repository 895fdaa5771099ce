/**
 * CPU per Notation envelope (issue 13): the pure verifier core (shared/notation/verify/verify-signature.ts) on one
 * JWS envelope over a 3-certificate chain (leaf, intermediate, root in the trust store), as the Lambda verifies
 * it: parse, chain rules and signatures, the leaf's signature, the signed target, trust store and identity, expiry,
 * and the OCSP/CRL checker (the chain names no responder, so it answers without I/O). No registry, no cache: the
 * same bytes verified `iterations` times in a row after a warm-up, CPU time (user + system, process.cpuUsage)
 * divided by the count. One row per key type: the kit's ECDSA P-256 (ES256) and RSA 3072 (PS384, what
 * `notation cert generate-test` and most enterprise CAs issue).
 *
 * The floor beside each: the four signature checks no verifier can skip (the envelope's, each certificate's by
 * its issuer, the root's by itself) with node:crypto on certificates parsed beforehand. The two loops alternate in
 * blocks, so that load on the machine hits both.
 */
import { constants, verify, X509Certificate } from 'node:crypto';
import { parseTrustPolicy } from '../../shared/notation/policy/trust-policy';
import { OcspCrlRevocationChecker } from '../../shared/notation/revocation/revocation-checker';
import { verifySignature } from '../../shared/notation/verify/verify-signature';
import { buildChain, jwsEnvelope, type KeySpec, payloadOf, storesOf } from '../../test/harness/notation-kit';
import { BENCH_TRUST_POLICY } from '../lib/notation-fixture';
import { round } from '../lib/stats';

/** Issue 13: CPU per envelope verification, JWS with a 3-certificate chain. */
export const ENVELOPE_CPU_TARGET_MS = 2;
const DAY_MS = 86_400_000;
/** The measured loop and the floor's alternate in this many blocks. */
const BLOCKS = 10;

/** protected, payload (both base64url text) and the signature bytes of a flattened JWS. */
function jwsParts(envelope: Uint8Array): [string, string, Buffer] {
  const parsed = JSON.parse(Buffer.from(envelope).toString('utf8')) as Record<string, string>;
  return [parsed.protected!, parsed.payload!, Buffer.from(parsed.signature!, 'base64url')];
}

export interface EnvelopeCpuRow {
  readonly key: KeySpec;
  readonly alg: string;
  readonly iterations: number;
  /** CPU milliseconds (user + system) per verification. */
  readonly cpuMs: number;
  /** Wall-clock milliseconds per verification over the same loop (includes waits for the CPU). */
  readonly wallMs: number;
  /** CPU milliseconds of the signature checks alone (node:crypto, parsed certificates): the floor. */
  readonly floorCpuMs: number;
  readonly allVerified: boolean;
}

export interface EnvelopeCpuResult {
  readonly rows: readonly EnvelopeCpuRow[];
}

/** The key types measured, with the algorithm the Notary Project pairs with each. */
export const ENVELOPE_KEYS: ReadonlyArray<readonly [KeySpec, string]> = [
  ['p256', 'ES256'],
  ['rsa3072', 'PS384'],
];

export async function runEnvelopeCpu(iterations = 500, keys = ENVELOPE_KEYS): Promise<EnvelopeCpuResult> {
  const rows: EnvelopeCpuRow[] = [];
  for (const [key, alg] of keys) rows.push(await measure(key, alg, iterations));
  return { rows };
}

async function measure(key: KeySpec, alg: string, iterations: number): Promise<EnvelopeCpuRow> {
  const nowMs = Date.now();
  // CA keys of the same family: an RSA leaf under RSA CAs, as issued in practice.
  const chain = await buildChain({
    leafKey: key,
    caKey: key,
    slot: 7,
    leafNotBefore: new Date(nowMs - 30 * DAY_MS),
    leafNotAfter: new Date(nowMs + 365 * DAY_MS),
  });
  const descriptor = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${'e'.repeat(64)}`,
    size: 1024,
  };
  const envelope = jwsEnvelope({ chain, alg, payload: payloadOf(descriptor) });
  const statement = parseTrustPolicy(BENCH_TRUST_POLICY).trustPolicies[0]!;
  const stores = storesOf({ 'ca:bench': [chain.root] });
  const revocation = new OcspCrlRevocationChecker();
  const signal = new AbortController().signal;
  const once = async () => {
    const outcome = await verifySignature({
      descriptor,
      envelope,
      envelopeMediaType: 'application/jose+json',
      statement,
      stores,
      nowMs,
      signal,
      revocation,
    });
    return outcome.verified;
  };
  const certificates = chain.ders.map((der) => new X509Certificate(der));
  const [protectedB64, payloadB64, signature] = jwsParts(envelope);
  const signingInput = Buffer.from(`${protectedB64}.${payloadB64}`);
  const leafKey = certificates[0]!.publicKey;
  const primitive = alg.startsWith('PS')
    ? { key: leafKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
    : { key: leafKey, dsaEncoding: 'ieee-p1363' as const };
  const hash = `sha${alg.slice(2)}`;
  const floorOnce = () => {
    let ok = verify(hash, signingInput, primitive, signature);
    for (let i = 0; i < certificates.length; i++) {
      ok &&= certificates[i]!.verify((certificates[i + 1] ?? certificates[i]!).publicKey);
    }
    return ok;
  };
  let allVerified = floorOnce();
  for (let i = 0; i < Math.min(50, iterations); i++) allVerified &&= await once();
  const block = Math.max(1, Math.floor(iterations / BLOCKS));
  let coreCpuUs = 0;
  let floorCpuUs = 0;
  let wallNs = 0;
  let runs = 0;
  for (let b = 0; b < BLOCKS; b++) {
    let cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < block; i++) allVerified &&= await once();
    wallNs += Number(process.hrtime.bigint() - started);
    let cpu = process.cpuUsage(cpuBefore);
    coreCpuUs += cpu.user + cpu.system;
    cpuBefore = process.cpuUsage();
    for (let i = 0; i < block; i++) allVerified &&= floorOnce();
    cpu = process.cpuUsage(cpuBefore);
    floorCpuUs += cpu.user + cpu.system;
    runs += block;
  }
  return {
    key,
    alg,
    iterations: runs,
    cpuMs: round(coreCpuUs / 1000 / runs),
    wallMs: round(wallNs / 1e6 / runs),
    floorCpuMs: round(floorCpuUs / 1000 / runs),
    allVerified,
  };
}
