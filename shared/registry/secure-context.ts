import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/**
 * A TLS context that trusts the default roots and one extra CA (a policy's `caFile`). Built from the default
 * context, which takes node's root store as compiled in (no parsing), with the extra CA added on top: passing
 * `ca: [...rootCertificates, ca]` instead makes node parse the ~140 default roots as PEM text, about 20 ms on a
 * quiet machine and several times that on a loaded one, which a one-shot `notary-gate check` pays on every run
 * (the startup row of `npm run bench`). Node copies the shared root store before adding to it, so other contexts
 * never see the extra CA (test/shared/registry/secure-context.test.ts connects with both to prove it).
 * `context.addCACert` is what `createSecureContext` itself calls for each `ca` entry; where a runtime lacks it,
 * the slower documented form is used.
 */
export function secureContextWithExtraCa(ca: string): SecureContext {
  const context = createSecureContext();
  const native = (context as SecureContext & { context?: { addCACert?: (pem: string) => void } }).context;
  if (typeof native?.addCACert !== 'function') return createSecureContext({ ca: [...rootCertificates, ca] });
  native.addCACert(ca);
  return context;
}
