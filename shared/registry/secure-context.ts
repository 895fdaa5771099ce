import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/**
 * The TLS context for a server named with an extra CA (a policy's `caFile`), which it trusts besides the default
 * roots.
 *
 * The first context in a process that holds node's default roots makes node parse its ~140 bundled root
 * certificates: about 50 ms on this machine, once per process (the root store is then shared by every context;
 * with NODE_EXTRA_CA_CERTS set node builds it at start instead, which is why it can look free). On Node.js 20,
 * adding a CA to any context (`ca`, `addCACert`, a `pfx`) builds that store first, even for a context that
 * trusts the CA alone. A server named with a `caFile` is nearly always one that CA issued for, so the transport
 * first verifies it against the CA without such a context (./ca-only-agent.ts) and uses this one only for a
 * server that does not pass there (shared/registry/http.ts).
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
