import { TrustError, type VerdictCode } from '../../../shared/errors';
import type { ImageReference } from '../../../shared/image/types';
import type { ImageVerdict, SignatureVerifier, VerifyContext } from '../../../shared/verify/types';

/** What a scripted format answers for a repository. */
export type Script = 'allow' | 'allow-with-warning' | 'deny' | 'stale' | 'hang' | 'unreachable' | 'crash';

/**
 * A format at the engine's boundary that answers by script, per repository (default `allow`), and supports every
 * rule: several of them stand for a rule that names several formats.
 */
export class ScriptedVerifier implements SignatureVerifier {
  readonly calls: string[] = [];
  constructor(
    readonly format: string,
    private readonly script: Record<string, Script> = {},
    readonly unreachableCode: VerdictCode = 'REGISTRY_UNREACHABLE',
  ) {}

  supports(): boolean {
    return true;
  }

  async verify(ref: ImageReference, _rule: unknown, ctx: VerifyContext): Promise<ImageVerdict> {
    this.calls.push(ref.reference);
    const script = this.script[ref.name] ?? 'allow';
    const format = this.format;
    switch (script) {
      case 'allow':
        return {
          allowed: true,
          code: 'SIGNED',
          reason: `${format} signs it`,
          signedDigest: ref.digest,
          format,
          source: 'memory',
        };
      case 'allow-with-warning':
        return {
          allowed: true,
          code: 'SIGNED',
          reason: `${format} signs it`,
          format,
          warnings: ['signature expired (logged)'],
        };
      case 'stale':
        return { allowed: true, code: 'SIGNED', reason: `${format} signed it`, format, source: 'stale' };
      case 'deny':
        return { allowed: false, code: 'NOT_SIGNED', reason: `${format} has no signature`, format, source: 'origin' };
      case 'unreachable':
        throw new TrustError(this.unreachableCode, `${format} origin is down`);
      case 'crash':
        throw new TypeError('boom');
      case 'hang':
        return new Promise((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new TrustError(this.unreachableCode, 'aborted'))),
        );
    }
  }
}
