/**
 * Verifies one signature envelope against a trust policy statement, in notation-go's order (verifier.Verify):
 * integrity -> the signed target -> authenticity (trust store, then trusted identity) -> expiry -> authentic
 * timestamp -> revocation, with a verification plugin owning identity and revocation when the envelope names one.
 * Pure: the envelope bytes, the resolved descriptor, the stores and the clock come in; an outcome comes out. Only the
 * injected timestamp verifier, revocation checker and plugins may do I/O.
 */

import { algorithmForKey, verifyPrimitive } from '../envelope/algorithms';
import { parseEnvelope } from '../envelope/parse';
import type { EnvelopeContent } from '../envelope/types';
import { HEADER } from '../media-types';
import { type Descriptor, descriptorDifference, parsePayload, sameDescriptor, type TargetArtifact } from '../payload';
import type { TrustPolicyStatement } from '../policy/trust-policy';
import type {
  CheckOutcome,
  NotationErrorCode,
  PluginRegistry,
  PluginResult,
  RevocationChecker,
  TimestampVerifier,
  TrustStores,
  VerificationPlugin,
} from '../types';
import { NOTATION_ERROR_CODES } from '../types';
import { checkChain } from '../x509/chain';
import { isDnSubset, subjectMap } from '../x509/dn';
import { type ParsedCertificate, parseCertificate, subjectText } from '../x509/parse';
import { checkAuthenticTimestamp } from './authentic-timestamp';
import { EnforcedFailure, OutcomeRecorder, type SignatureOutcome, type SignerInfo } from './outcome';
import { compareSemver, isSemver } from './semver';

export interface SignatureVerifyInput {
  /** The image's resolved descriptor (media type, digest, size from the registry). */
  readonly descriptor: Descriptor;
  readonly envelope: Uint8Array;
  /** The signature manifest's layer media type. */
  readonly envelopeMediaType: string;
  readonly statement: TrustPolicyStatement;
  readonly stores: TrustStores;
  readonly nowMs: number;
  readonly signal: AbortSignal;
  readonly timestamps?: TimestampVerifier;
  readonly revocation?: RevocationChecker;
  readonly plugins?: PluginRegistry;
}

/** Headers about the plugin itself, which the plugin is not expected to list as processed. */
const PLUGIN_HEADERS = new Set<string>([HEADER.verificationPlugin, HEADER.verificationPluginMinVersion]);

const knownCode = (code: string, fallback: NotationErrorCode): NotationErrorCode =>
  (NOTATION_ERROR_CODES as readonly string[]).includes(code) ? (code as NotationErrorCode) : fallback;

/** Integrity: parse, check the chain, the algorithm and the signature. Throws EnforcedFailure. */
async function checkIntegrity(
  input: SignatureVerifyInput,
  rec: OutcomeRecorder,
): Promise<{
  envelope: EnvelopeContent;
  chain: ParsedCertificate[];
  target: TargetArtifact;
  plugin?: VerificationPlugin;
}> {
  const bad = (reason: string): never => {
    rec.fail('integrity', 'SIGNATURE_INVALID', reason);
    throw new Error('unreachable');
  };
  let envelope: EnvelopeContent;
  try {
    envelope = await parseEnvelope(input.envelope, input.envelopeMediaType);
  } catch (cause) {
    return bad(`the signature envelope is invalid: ${(cause as Error).message}`);
  }
  let chain: ParsedCertificate[];
  try {
    chain = envelope.certsDer.map(parseCertificate);
  } catch (cause) {
    return bad(`the envelope's certificate chain is invalid: ${(cause as Error).message}`);
  }
  const chainRule = checkChain(chain, 'codeSigning');
  if (chainRule) bad(`the envelope's certificate chain breaks the Notary Project rules: ${chainRule}`);
  const leaf = chain[0]!;
  const expected = algorithmForKey(leaf.key);
  if (!expected) bad(`the signing key (${leaf.key.type}) is not one the Notary Project allows`);
  if (expected !== envelope.alg) bad(`the envelope says ${envelope.alg} but the signing key requires ${expected}`);
  if (!verifyPrimitive(envelope.alg, leaf.x509.publicKey, envelope.signedBytes, envelope.signature, envelope.pssSalt)) {
    bad('the signature does not verify with the signing certificate (tampered payload, header or signature)');
  }
  let target: TargetArtifact;
  try {
    target = parsePayload(envelope.payload);
  } catch (cause) {
    return bad((cause as Error).message);
  }
  const plugin = pluginFor(envelope, input.plugins, bad);
  if (!plugin) {
    for (const [name, attr] of envelope.extendedAttributes) {
      if (attr.critical) bad(`the signature has critical attribute ${name}, which no verifier here understands`);
    }
  }
  rec.pass('integrity');
  return { envelope, chain, target, plugin };
}

/** The plugin the envelope requires, if any; a plugin we do not have is an integrity failure at every level. */
function pluginFor(
  envelope: EnvelopeContent,
  plugins: PluginRegistry | undefined,
  bad: (reason: string) => never,
): VerificationPlugin | undefined {
  const attr = envelope.extendedAttributes.get(HEADER.verificationPlugin);
  if (!attr) return undefined;
  if (!attr.critical || typeof attr.value !== 'string' || attr.value === '') {
    bad(`${HEADER.verificationPlugin} must be a critical, non-empty string`);
  }
  const name = attr.value as string;
  const plugin = plugins?.get(name);
  if (!plugin) bad(`the signature requires verification plugin "${name}", which notary-gate does not implement`);
  const min = envelope.extendedAttributes.get(HEADER.verificationPluginMinVersion);
  if (min) {
    if (!isSemver(min.value)) bad(`${HEADER.verificationPluginMinVersion} ${JSON.stringify(min.value)} is not SemVer`);
    if (compareSemver(plugin!.version, min.value as string) < 0) {
      bad(`the signature requires plugin "${name}" ${min.value} or later; notary-gate implements ${plugin!.version}`);
    }
  }
  return plugin;
}

function checkTrustStore(
  input: SignatureVerifyInput,
  envelope: EnvelopeContent,
  chain: readonly ParsedCertificate[],
  rec: OutcomeRecorder,
): void {
  // The store type follows the scheme and is never mixed: ca for notary.x509, signingAuthority for the SA scheme.
  const type = envelope.signingScheme === 'notary.x509' ? 'ca' : 'signingAuthority';
  const refs = input.statement.trustStores.filter((s) => s.type === type);
  if (refs.length === 0) {
    rec.fail(
      'authenticity',
      'CERTIFICATE_UNTRUSTED',
      `the signature uses scheme ${envelope.signingScheme}, and trust policy "${input.statement.name}" has no ${type} trust store`,
    );
    return;
  }
  // Byte equality (signature.VerifyAuthenticity): any chain certificate may be the pinned one. SHA-256 of the DER
  // stands for the bytes.
  const trusted = new Set(refs.flatMap((r) => input.stores.get(type, r.name) ?? []).map((c) => c.fingerprint256));
  if (chain.some((c) => trusted.has(c.x509.fingerprint256))) {
    rec.pass('authenticity');
    return;
  }
  rec.fail(
    'authenticity',
    'CERTIFICATE_UNTRUSTED',
    `no certificate of the signature's chain is in the ${type} trust store(s) ${refs.map((r) => r.name).join(', ')}`,
  );
}

function checkIdentity(statement: TrustPolicyStatement, leaf: ParsedCertificate, rec: OutcomeRecorder): void {
  if (statement.trustedIdentities.some((t) => t.kind === 'any')) {
    rec.pass('authenticity');
    return;
  }
  const subject = subjectMap(leaf);
  const matched =
    subject !== undefined &&
    statement.trustedIdentities.some((t) => t.kind === 'x509.subject' && isDnSubset(t.dn, subject));
  if (matched) rec.pass('authenticity');
  else {
    rec.fail(
      'authenticity',
      'IDENTITY_UNTRUSTED',
      `signer "${subjectText(leaf)}" is not a trusted identity of trust policy "${statement.name}"`,
    );
  }
}

function recordPluginOutcome(
  rec: OutcomeRecorder,
  check: 'authenticity' | 'revocation',
  outcome: CheckOutcome,
  fallback: NotationErrorCode,
): void {
  if (outcome.ok) rec.pass(check);
  else rec.fail(check, knownCode(outcome.code, fallback), outcome.reason);
}

export async function verifySignature(input: SignatureVerifyInput): Promise<SignatureOutcome> {
  const { statement, nowMs } = input;
  // Level skip admits without looking for signatures: the caller decides it before any registry call.
  if (statement.level === 'skip') throw new Error(`trust policy "${statement.name}" has level skip: nothing to verify`);
  const rec = new OutcomeRecorder(statement.actions);
  let signer: SignerInfo | undefined;
  let target: TargetArtifact | undefined;
  try {
    const integrity = await checkIntegrity(input, rec);
    const { envelope, chain, plugin } = integrity;
    target = integrity.target;
    signer = {
      subject: subjectText(chain[0]!),
      chainSha256: chain.map((c) => c.sha256Hex),
      signingScheme: envelope.signingScheme,
      signingTimeMs: envelope.signingTimeMs,
      authenticSigningTimeMs: envelope.authenticSigningTimeMs,
      plugin: plugin?.name,
    };
    // The binding to the image is the signed descriptor (always enforced: a signature of another artifact is none).
    if (!sameDescriptor(target, input.descriptor)) {
      rec.results.push({ check: 'integrity', action: 'enforce', code: 'DIGEST_MISMATCH' });
      throw new EnforcedFailure(
        'integrity',
        'DIGEST_MISMATCH',
        `the signature is for another artifact: signed ${descriptorDifference(target, input.descriptor)}`,
      );
    }
    if (rec.action('authenticity') !== 'skip') checkTrustStore(input, envelope, chain, rec);

    let pluginResult: PluginResult | undefined;
    if (plugin) {
      try {
        pluginResult = await plugin.verify({
          extendedAttributes: envelope.extendedAttributes,
          signingScheme: envelope.signingScheme,
          authenticSigningTimeMs: envelope.authenticSigningTimeMs,
          signingTimeMs: envelope.signingTimeMs,
          chain: chain.map((c) => c.x509),
          trustedIdentities: statement.trustedIdentityStrings,
          checkRevocation: rec.action('revocation') !== 'skip',
          authenticityEnforced: rec.action('authenticity') === 'enforce',
          nowMs,
          signal: input.signal,
        });
      } catch (cause) {
        rec.fail(
          'integrity',
          'SIGNATURE_INVALID',
          `verification plugin "${plugin.name}" failed: ${(cause as Error).message}`,
        );
      }
      const processed = new Set(pluginResult!.processedAttributes);
      for (const [name, attr] of envelope.extendedAttributes) {
        if (attr.critical && !PLUGIN_HEADERS.has(name) && !processed.has(name)) {
          rec.fail(
            'integrity',
            'SIGNATURE_INVALID',
            `critical attribute ${name} was not processed by plugin "${plugin.name}"`,
          );
        }
      }
    }
    if (rec.action('authenticity') !== 'skip') {
      if (pluginResult) recordPluginOutcome(rec, 'authenticity', pluginResult.identity, 'IDENTITY_UNTRUSTED');
      else checkIdentity(statement, chain[0]!, rec);
    }

    if (rec.action('expiry') !== 'skip' && envelope.expiryMs !== undefined) {
      if (nowMs >= envelope.expiryMs) {
        rec.fail(
          'expiry',
          'SIGNATURE_EXPIRED',
          `the signature expired at ${new Date(envelope.expiryMs).toISOString()}`,
        );
      } else rec.pass('expiry');
    }

    const ts = await checkAuthenticTimestamp({ ...input, envelope, chain }, rec);
    if (ts) signer = { ...signer, timestampMs: ts.genTimeMs };

    if (rec.action('revocation') !== 'skip') {
      if (pluginResult) recordPluginOutcome(rec, 'revocation', pluginResult.revocation, 'REVOCATION_UNAVAILABLE');
      else await checkRevocation(input, chain, rec);
    }
    // A chain checked at the evaluation instant (no timestamp, x509 scheme) stops being valid at its earliest end.
    const checkedNow = envelope.signingScheme === 'notary.x509' && ts === undefined;
    const ends = [envelope.expiryMs, ...(checkedNow ? chain.map((c) => c.notAfterMs) : [])].filter(
      (t): t is number => t !== undefined,
    );
    const validUntilMs = ends.length > 0 ? Math.min(...ends) : undefined;
    return { verified: true, results: rec.results, warnings: rec.warnings(), signer, target, validUntilMs };
  } catch (error) {
    if (!(error instanceof EnforcedFailure)) throw error;
    return {
      verified: false,
      code: error.code,
      reason: error.message,
      check: error.check,
      results: rec.results,
      signer,
      target,
    };
  }
}

async function checkRevocation(
  input: SignatureVerifyInput,
  chain: readonly ParsedCertificate[],
  rec: OutcomeRecorder,
): Promise<void> {
  if (!input.revocation) {
    rec.fail('revocation', 'REVOCATION_UNAVAILABLE', 'revocation checking is not available in this build');
    return;
  }
  const status = await input.revocation
    .check(
      chain.map((c) => c.x509),
      { nowMs: input.nowMs, signal: input.signal },
    )
    .catch((e: unknown) => ({ status: 'unavailable' as const, reason: (e as Error).message }));
  if (status.status === 'ok') rec.pass('revocation');
  else if (status.status === 'revoked')
    rec.fail('revocation', 'REVOKED', `a certificate of the chain is revoked: ${status.reason}`);
  else rec.fail('revocation', 'REVOCATION_UNAVAILABLE', `revocation status is unknown: ${status.reason}`);
}
