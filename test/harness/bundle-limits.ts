/**
 * The Lambda bundle's bounds, shared by test/functions/bundle.test.ts (sizes, a gate) and the bench (sizes and
 * init, measured: timing is never asserted in tests).
 */

/**
 * 768 KiB: the code a cold start reads before the first event (index.mjs and the chunks it imports statically,
 * scripts/bundle.mjs). About 620 KiB today: the webhook, the policy loader (yaml, zod, picomatch), Powertools and
 * the DynamoDB client. The bound catches a static import of something only some policies need (the Notation
 * verifier with pkijs, asn1js and cborg: about 450 KiB; another AWS SDK client), which is what made module init
 * miss its target when the bundle was one CommonJS file that node parsed whole.
 */
export const BUNDLE_INIT_MAX_BYTES = 768 * 1024;

/**
 * 2 MiB: all the code of the bundle, chunks loaded on first use included (about 1.4 MiB: it carries the AWS SDK
 * clients it uses). Catches a second copy of a large library or an SDK bundled whole instead of tree-shaken.
 */
export const BUNDLE_MAX_BYTES = 2 * 1024 * 1024;

/** Module init of the bundle (a fresh node importing it), issue 13: <= 150 ms. The bench measures it. */
export const BUNDLE_INIT_TARGET_MS = 150;
