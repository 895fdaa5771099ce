/**
 * What the AWS Signer Notation plugin (`com.amazonaws.signer.notation.plugin`, aws/aws-signer-notation-plugin
 * internal/verifier/verifier.go) decides, run in-process instead of as a plugin binary:
 * 1. validation: no `*` identity; scheme `notary.x509.signingAuthority` with an authentic signing time; the critical
 *    attributes `com.amazonaws.signer.signingProfileVersion` and `…signingJob` are ARNs of their kinds, in one
 *    partition, the partition of the AWS root the chain ends at (signatures are partition-scoped);
 * 2. trusted identity: a signing-profile (or profile-version) ARN of the policy matches the profile version;
 * 3. revocation: signer:GetRevocationStatus in the profile's region (revocation.ts), not asked when an untrusted
 *    identity already ends verification (authenticity enforced);
 * 4. both attributes are reported processed.
 * A failed validation throws (the plugin answers with an error, and Notation fails the signature at every level);
 * identity and revocation are outcomes the trust policy's level enforces or logs.
 */

import type { CheckOutcome, PluginInput, PluginResult, VerificationPlugin } from '../types';
import { NotationError } from '../types';
import { parseSigningJobArn, parseSigningProfileArn, regionMatchesPartition } from './arn';
import { revocationCertificateHashes } from './certificate-hashes';
import { matchTrustedIdentity } from './identity';
import type { SignerRevocation } from './revocation';
import { BUILT_IN_TRUST_STORES, builtInTrustStoreCertificates } from './trust-stores';

export const AWS_SIGNER_PLUGIN_NAME = 'com.amazonaws.signer.notation.plugin';
/**
 * The plugin release whose decisions this module implements (aws-signer-notation-plugin 1.0.350, commit 762e710).
 * Envelopes ask for a minimum version (`io.cncf.notary.verificationPluginMinVersion`) that must not exceed it.
 */
export const AWS_SIGNER_PLUGIN_VERSION = '1.0.350';

export const ATTR_SIGNING_PROFILE_VERSION = 'com.amazonaws.signer.signingProfileVersion';
export const ATTR_SIGNING_JOB = 'com.amazonaws.signer.signingJob';
/** The only platform AWS Signer signs container images with: ECDSA P-384 with SHA-384, JWS. */
export const NOTATION_PLATFORM_ID = 'Notation-OCI-SHA384-ECDSA';
const SIGNING_AUTHORITY_SCHEME = 'notary.x509.signingAuthority';

/** A signature the plugin refuses to evaluate; `code` is a verdict code (SIGNATURE_INVALID, IDENTITY_UNTRUSTED). */
export class AwsSignerPluginError extends NotationError<'SIGNATURE_INVALID' | 'IDENTITY_UNTRUSTED'> {}

export interface AwsSignerPluginOptions {
  readonly revocation: SignerRevocation;
}

export function createAwsSignerPlugin(options: AwsSignerPluginOptions): VerificationPlugin {
  return {
    name: AWS_SIGNER_PLUGIN_NAME,
    version: AWS_SIGNER_PLUGIN_VERSION,
    verify: (input) => verifyAwsSignerSignature(input, options),
  };
}

async function verifyAwsSignerSignature(input: PluginInput, options: AwsSignerPluginOptions): Promise<PluginResult> {
  const signature = validate(input);
  const matched = matchTrustedIdentity(input.trustedIdentities, signature.profileVersionArn);
  const identity: CheckOutcome = matched
    ? { ok: true }
    : {
        ok: false,
        code: 'IDENTITY_UNTRUSTED',
        reason: `the signing profile ${signature.profileVersionArn} matches no trusted identity of the trust policy`,
      };
  // Revocation the policy skips is not asked (the runner records nothing for it), nor is it for a profile whose
  // untrusted identity already ends verification: that outcome is never read, and asking would let any signature
  // pushed to the registry make the function call Signer.
  const revocation: CheckOutcome =
    input.checkRevocation === false || (!matched && input.authenticityEnforced === true)
      ? { ok: true }
      : await options.revocation.check(
          {
            region: signature.region,
            signatureTimestampMs: signature.authenticSigningTimeMs,
            platformId: NOTATION_PLATFORM_ID,
            profileVersionArn: signature.profileVersionArn,
            jobArn: signature.jobArn,
            certificateHashes: revocationCertificateHashes(input.chain),
          },
          input.signal,
        );
  return { identity, revocation, processedAttributes: [ATTR_SIGNING_PROFILE_VERSION, ATTR_SIGNING_JOB] };
}

interface ValidatedSignature {
  readonly profileVersionArn: string;
  readonly jobArn: string;
  readonly region: string;
  readonly authenticSigningTimeMs: number;
}

function validate(input: PluginInput): ValidatedSignature {
  if (input.trustedIdentities.includes('*')) {
    throw new AwsSignerPluginError(
      'IDENTITY_UNTRUSTED',
      'the AWS Signer plugin does not support the wildcard identity "*" in the trust policy',
    );
  }
  if (input.signingScheme !== SIGNING_AUTHORITY_SCHEME) {
    throw invalid(
      `signing scheme ${input.signingScheme} is not supported (AWS Signer signs ${SIGNING_AUTHORITY_SCHEME})`,
    );
  }
  const authenticSigningTimeMs = input.authenticSigningTimeMs;
  if (authenticSigningTimeMs === undefined || !Number.isFinite(authenticSigningTimeMs)) {
    throw invalid('the signature has no authentic signing time');
  }
  const profileVersionArn = criticalString(input, ATTR_SIGNING_PROFILE_VERSION);
  const jobArn = criticalString(input, ATTR_SIGNING_JOB);
  const profile = parseSigningProfileArn(profileVersionArn);
  if (!profile || profile.profileVersion === undefined || !regionMatchesPartition(profile)) {
    throw invalid(`${ATTR_SIGNING_PROFILE_VERSION} "${profileVersionArn}" is not a signing-profile version ARN`);
  }
  const job = parseSigningJobArn(jobArn);
  if (!job || job.partition !== profile.partition || !regionMatchesPartition(job)) {
    throw invalid(`${ATTR_SIGNING_JOB} "${jobArn}" is not a signing-job ARN of partition ${profile.partition}`);
  }
  // Partition scope: a chain ending at one partition's AWS root signs only that partition's profiles.
  const root = input.chain.at(-1);
  const anchor =
    root &&
    BUILT_IN_TRUST_STORES.find((store) =>
      builtInTrustStoreCertificates(store.type, store.name)?.some((certificate) => certificate.raw.equals(root.raw)),
    );
  if (anchor && anchor.partition !== profile.partition) {
    throw invalid(
      `the chain ends at the AWS Signer root of partition ${anchor.partition}, but the profile is in ${profile.partition}`,
    );
  }
  return { profileVersionArn, jobArn, region: profile.region, authenticSigningTimeMs };
}

function criticalString(input: PluginInput, key: string): string {
  const attribute = input.extendedAttributes.get(key);
  if (!attribute) throw invalid(`the signature lacks the critical attribute ${key}`);
  if (!attribute.critical) throw invalid(`the attribute ${key} is not critical`);
  if (typeof attribute.value !== 'string') throw invalid(`the attribute ${key} is not a string`);
  return attribute.value;
}

function invalid(reason: string): AwsSignerPluginError {
  return new AwsSignerPluginError('SIGNATURE_INVALID', `AWS Signer signature: ${reason}`);
}
