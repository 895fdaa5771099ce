import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/**
 * Whether a TLS context given `ca` costs the default root store (about 50 ms, once per process). Node.js 20 builds
 * that store for any context that gets a CA, if only to compare it with the context's own (which then trusts the
 * CA alone, as the docs say); Node.js 22 and 24 build it only for a context that uses it (measured: a context with
 * one CA in 53-57 ms on 20.20, 1.5-6 ms on 22.23 and 24.22, NODE_EXTRA_CA_CERTS unset).
 */
export const CA_CONTEXT_BUILDS_ROOT_STORE = Number(process.versions.node.split('.')[0]) < 22;

/** A context that trusts the CA (PEM text: one or more certificates) and nothing else; OpenSSL verifies. */
export function secureContextWithCaAlone(ca: string): SecureContext {
  return createSecureContext({ ca });
}

/**
 * OpenSSL's verification errors (node's `error.code`) that say a chain does not lead to a trusted certificate,
 * and only those: with the default roots as well, it might. Any other failure (expired, another host name, a bad
 * signature) is the same whatever is trusted, so it is final.
 */
const UNTRUSTED_ISSUER = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

export function isUntrustedIssuer(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && UNTRUSTED_ISSUER.has(code);
}

/**
 * The TLS context for a server named with an extra CA (a policy's `caFile`), which it trusts besides the default
 * roots.
 *
 * The first context in a process that holds node's default roots makes node parse its ~140 bundled root
 * certificates: about 50 ms on this machine, once per process (the root store is then shared by every context;
 * with NODE_EXTRA_CA_CERTS set node builds it at start instead, which is why it can look free). On Node.js 20,
 * adding a CA to any context (`ca`, `addCACert`, a `pfx`) builds that store first, even for a context that
 * trusts the CA alone (CA_CONTEXT_BUILDS_ROOT_STORE). A server named with a `caFile` is nearly always one that CA
 * issued for, so the transport first verifies it against the CA alone, and uses this context only for a server
 * that does not pass there (shared/registry/http.ts): with OpenSSL and a context that trusts the CA alone where
 * that is cheap (Node.js 22+, the Lambda's runtime), and on Node.js 20 without such a context
 * (./ca-only-agent.ts).
 */

/**
 * A context that trusts the default roots and the extra CA. Built from the default context, with the extra CA
 * added on top: passing `ca: [...rootCertificates, ca]` instead makes node parse the ~140 default roots as PEM text
 * again for this context (and for every connection when given per request). Node copies the shared root store
 * before adding to it, so other contexts never see the extra CA (test/shared/registry/secure-context.test.ts
 * connects with both to prove it). `context.addCACert` is what `createSecureContext` itself calls for each `ca`
 * entry; where a runtime lacks it, the slower documented form is used.
 */
export function secureContextWithExtraCa(ca: string): SecureContext {
  const context = createSecureContext();
  const native = (context as SecureContext & { context?: { addCACert?: (pem: string) => void } }).context;
  if (typeof native?.addCACert !== 'function') return createSecureContext({ ca: [...rootCertificates, ca] });
  native.addCACert(ca);
  return context;
}
