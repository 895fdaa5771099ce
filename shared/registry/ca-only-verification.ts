/**
 * Verifies a server's certificate against one CA (a policy's `caFile`) without a TLS context that holds the CA:
 * on Node.js 20, adding any CA to a TLS context makes node build its default root store first (about 50 ms: it
 * parses its ~140 bundled roots, once per process), which a server of that CA never needs (./secure-context.ts).
 *
 * The rules only ever accept what OpenSSL, verifying against that CA, accepts, and are stricter where modelling
 * OpenSSL exactly would take more: a leaf issued by the CA itself (no intermediates) or the CA itself as the leaf
 * (a self-signed server), within their validity, signed with SHA-2, with strong keys, key usage and extended key
 * usage that allow a TLS server, no critical extension other than those, a CA without name or policy
 * constraints, and the host name the request was for. Whatever does not pass is not refused here: the transport
 * connects again and lets OpenSSL verify against the default roots and the CA (shared/registry/http.ts).
 */
import type { PeerCertificate } from 'node:tls';
import { checkServerIdentity } from 'node:tls';
import { readExtensions } from '../notation/x509/der';
import {
  ID_CE_BASIC_CONSTRAINTS,
  ID_CE_EXT_KEY_USAGE,
  ID_CE_KEY_USAGE,
  KeyUsageFlags,
} from '../notation/x509/extension-ids';
import { type ParsedCertificate, parseCertificate } from '../notation/x509/parse';

/** id-ce-subjectAltName, RFC 5280 4.2.1.6. */
const ID_CE_SUBJECT_ALT_NAME = '2.5.29.17';
/** The critical extensions these rules read, as OpenSSL does; a certificate with another critical one goes to OpenSSL. */
const UNDERSTOOD_CRITICAL = new Set([
  ID_CE_KEY_USAGE,
  ID_CE_BASIC_CONSTRAINTS,
  ID_CE_EXT_KEY_USAGE,
  ID_CE_SUBJECT_ALT_NAME,
]);
/** What a CA may use to restrict what it issues (RFC 5280 4.2.1.10, 4.2.1.11, 4.2.1.14, 4.2.1.5): not modelled here. */
const CONSTRAINING = new Set(['2.5.29.30', '2.5.29.36', '2.5.29.54', '2.5.29.33']);
/** id-kp-serverAuth, RFC 5280 4.2.1.12. */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
/** What OpenSSL's SSL server purpose asks of a leaf's key usage: one of these bits. */
const SERVER_KEY_USAGE = KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment | KeyUsageFlags.keyAgreement;
const STRONG_HASHES = new Set(['sha256', 'sha384', 'sha512']);
const STRONG_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
/** NIST SP 800-57's floor for RSA today; OpenSSL's default security level accepts smaller. */
const MIN_RSA_BITS = 2048;

/**
 * Whether the server's certificate (the one it authenticated the handshake with) verifies against the CA under
 * the rules above (false: let OpenSSL decide).
 */
export function verifiedByCaAlone(
  serverCertificate: Uint8Array,
  caDer: Uint8Array,
  host: string,
  nowMs: number,
): boolean {
  let leaf: ParsedCertificate;
  let ca: ParsedCertificate;
  try {
    leaf = parseCertificate(serverCertificate);
    ca = parseCertificate(caDer);
  } catch {
    return false;
  }
  if (checkServerIdentity(host, peerCertificateOf(leaf)) !== undefined) return false;
  if (!usableAsServer(leaf, nowMs)) return false;
  if (leaf.sha256Hex === ca.sha256Hex) return true;
  // Issued by the CA itself: names and key identifiers match, the CA may sign certificates, the signature holds.
  return (
    withinValidity(ca, nowMs) &&
    ca.basicConstraints?.value.cA === true &&
    (ca.keyUsage === undefined || (ca.keyUsage.value & KeyUsageFlags.keyCertSign) !== 0) &&
    strongKey(ca) &&
    understoodExtensions(ca) &&
    !hasConstraints(ca) &&
    leaf.basicConstraints?.value.cA !== true &&
    STRONG_HASHES.has(leaf.signatureAlgorithm.hash ?? '') &&
    leaf.x509.checkIssued(ca.x509) &&
    leaf.x509.verify(ca.x509.publicKey)
  );
}

/**
 * What node's host name check reads of a certificate (the subject alternative names as node prints them, the
 * subject's common name), taken from the parsed certificate: on a connection OpenSSL did not verify, node's
 * `getPeerCertificate()` comes back empty. A subject with other than one common name gives none (stricter).
 */
function peerCertificateOf(cert: ParsedCertificate): PeerCertificate {
  const names = cert.x509.subject.split('\n').filter((line) => line.startsWith('CN='));
  const subject = names.length === 1 ? { CN: names[0]!.slice('CN='.length) } : {};
  return { subject, subjectaltname: cert.x509.subjectAltName } as unknown as PeerCertificate;
}

function usableAsServer(leaf: ParsedCertificate, nowMs: number): boolean {
  return (
    withinValidity(leaf, nowMs) &&
    strongKey(leaf) &&
    understoodExtensions(leaf) &&
    (leaf.keyUsage === undefined || (leaf.keyUsage.value & SERVER_KEY_USAGE) !== 0) &&
    (leaf.extKeyUsage === undefined || leaf.extKeyUsage.value.includes(SERVER_AUTH))
  );
}

function withinValidity(cert: ParsedCertificate, nowMs: number): boolean {
  return cert.notBeforeMs <= nowMs && nowMs <= cert.notAfterMs;
}

function strongKey(cert: ParsedCertificate): boolean {
  const { type, modulusBits, curve } = cert.key;
  if (type === 'rsa') return (modulusBits ?? 0) >= MIN_RSA_BITS;
  if (type === 'ec') return STRONG_CURVES.has(curve ?? '');
  return type === 'ed25519' || type === 'ed448';
}

function extensionsOf(cert: ParsedCertificate) {
  return cert.parts.extensions ? readExtensions(cert.parts.extensions) : [];
}

function understoodExtensions(cert: ParsedCertificate): boolean {
  return extensionsOf(cert).every((extension) => !extension.critical || UNDERSTOOD_CRITICAL.has(extension.oid));
}

function hasConstraints(cert: ParsedCertificate): boolean {
  return extensionsOf(cert).some((extension) => CONSTRAINING.has(extension.oid));
}
