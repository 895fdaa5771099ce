/**
 * Trusted identities of AWS Signer signatures: the identity is the signed `signingProfileVersion` attribute, not the
 * certificate (every AWS Signer leaf is `CN=AWS Signer`). Matching is the plugin's (internal/verifier/verifier.go):
 * - a profile ARN (`…:/signing-profiles/<name>`) matches a signature of any version of that profile: it equals,
 *   ignoring case, the attribute without its last `/segment`;
 * - a profile-version ARN (`…/<name>/<version>`) matches that version only: it equals the attribute, ignoring case;
 * - any other identity (not a signing-profile ARN) matches nothing.
 * Partition, region and account are part of the ARN, so a profile of the same name elsewhere never matches.
 */
import { equalFold, parseSigningProfileArn } from './arn';

/** The first trusted identity the signature's profile-version ARN matches, or undefined. */
export function matchTrustedIdentity(
  trustedIdentities: readonly string[],
  profileVersionArn: string,
): string | undefined {
  const lastSlash = profileVersionArn.lastIndexOf('/');
  const profileOfSignature = lastSlash === -1 ? undefined : profileVersionArn.slice(0, lastSlash);
  return trustedIdentities.find((identity) => {
    const arn = parseSigningProfileArn(identity);
    if (!arn) return false;
    if (arn.profileVersion === undefined) {
      return profileOfSignature !== undefined && equalFold(profileOfSignature, identity);
    }
    return equalFold(profileVersionArn, identity);
  });
}
