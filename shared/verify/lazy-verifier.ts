import type { VerdictCode } from '../errors';
import type { ImageReference } from '../image/types';
import type { Rule } from '../policy/types';
import type { DigestResolution, ImageVerdict, SignatureInspection, SignatureVerifier, VerifyContext } from './types';

/**
 * A verifier whose implementation is imported on its first admission: a format module hands this out from
 * `createVerifier` so that a process whose policy never names the format (a Notary-only policy, a `check` of a
 * Notary image) never loads the format's code and libraries. The Lambda bundle and the CLI split each such
 * `import()` into a chunk of its own (scripts/bundle*.mjs), which is what keeps them out of module init (issue 13)
 * and out of `notary-gate check`'s start (issue 16). `supports` stays synchronous and cheap: it reads the rule.
 * The import runs once per process; a failed import (a missing chunk) fails every admission of the format, which
 * the engine turns into a denial, never an admission.
 */
export class LazySignatureVerifier implements SignatureVerifier {
  #loading: Promise<SignatureVerifier> | undefined;

  constructor(
    readonly format: string,
    readonly unreachableCode: VerdictCode,
    private readonly handles: (rule: Rule) => boolean,
    private readonly load: () => Promise<SignatureVerifier>,
  ) {}

  supports(rule: Rule): boolean {
    return this.handles(rule);
  }

  async verify(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<ImageVerdict> {
    return (await this.#verifier()).verify(ref, rule, ctx);
  }

  async resolveSignedDigest(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<DigestResolution> {
    const verifier = await this.#verifier();
    if (!verifier.resolveSignedDigest) {
      return { digest: undefined, code: 'INTERNAL_ERROR', reason: `${this.format} cannot resolve a tag's digest.` };
    }
    return verifier.resolveSignedDigest(ref, rule, ctx);
  }

  async inspectSignatures(ref: ImageReference, rule: Rule, ctx: VerifyContext): Promise<SignatureInspection> {
    const verifier = await this.#verifier();
    if (!verifier.inspectSignatures) {
      return { code: 'INTERNAL_ERROR', reason: `${this.format} cannot list its signatures one by one.` };
    }
    return verifier.inspectSignatures(ref, rule, ctx);
  }

  #verifier(): Promise<SignatureVerifier> {
    this.#loading ??= this.load();
    return this.#loading;
  }
}
