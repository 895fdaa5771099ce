/**
 * The Lambda bundle's bounds, shared by test/functions/bundle.test.ts (size, a gate) and the bench (size and init,
 * measured: timing is never asserted in tests).
 */

/**
 * 1.25 MiB. The bundle is one CommonJS file (scripts/bundle.mjs), so the libraries the Notation module loads with
 * `await import()` on first use (pkijs and asn1js for RFC 3161 timestamps and OCSP/CRL, cborg for COSE envelopes,
 * about 450 KiB minified) are in it, but esbuild wraps them so they are not evaluated at init: what a cold start
 * pays for them is parsing, not running (docs/performance.md measures it). With the Notation module registered the
 * bundle is about 950 KiB; the bound leaves room for growth while still catching an accidental inlining of the AWS
 * SDK (external: several MiB) or of a second copy of a large library.
 */
export const BUNDLE_MAX_BYTES = 1.25 * 1024 * 1024;

/** Module init of the bundle (a fresh node requiring it), issue 13: <= 150 ms. The bench measures it. */
export const BUNDLE_INIT_TARGET_MS = 150;
