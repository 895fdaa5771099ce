import type { FileMeta } from './metadata';
import type { SignedTarget } from './types';

/**
 * Signed targets as digests: notary records the manifest's sha256 as base64; images are pinned by `sha256:<hex>`.
 * Targets without a well-formed sha256 cannot match any image digest and are left out, as are names the role may
 * not sign (`allowed`: its delegation paths).
 */
export function toSignedTargets(
  targets: Readonly<Record<string, FileMeta>>,
  allowed: (name: string) => boolean,
): Record<string, SignedTarget> {
  const result: Record<string, SignedTarget> = {};
  for (const [name, meta] of Object.entries(targets)) {
    const sha256 = meta.hashes.sha256;
    const raw = sha256 === undefined ? undefined : Buffer.from(sha256, 'base64');
    if (!allowed(name) || raw?.length !== 32 || raw.toString('base64') !== sha256) continue;
    result[name] = { digest: `sha256:${raw.toString('hex')}`, length: meta.length };
  }
  return result;
}
