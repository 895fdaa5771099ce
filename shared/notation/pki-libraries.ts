/**
 * pkijs and asn1js, loaded on first use. They are the heaviest libraries of Notation verification (CMS, TSP,
 * OCSP and CRL schemas), and most admissions never touch a timestamp or a revocation answer: loading them lazily
 * keeps them out of the Lambda's module init (issue 13 budget: init <= 150 ms).
 */
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';

export interface PkiLibraries {
  readonly asn1js: typeof Asn1js;
  readonly pkijs: typeof Pkijs;
}

let loading: Promise<PkiLibraries> | undefined;

/** The two libraries, imported once per process. pkijs picks node's WebCrypto (`globalThis.crypto`) itself. */
export function loadPkiLibraries(): Promise<PkiLibraries> {
  loading ??= Promise.all([import('asn1js'), import('pkijs')]).then(([asn1js, pkijs]) => ({ asn1js, pkijs }));
  return loading;
}
