import { TrustError } from '../../errors';
import type { DelegationToFetch, ExpectedFile, RoleVersions, VerifiedTrust } from './types';

export interface TrustedMetadataOptions {
  /** The repository's GUN (normalized image name); root certificates must name it. */
  readonly gun: string;
  /** The evaluation instant (epoch ms) for every expiry and certificate validity check. */
  readonly nowMs: number;
  /** Pinned root public keys or certificates (PEM). Empty: trust on first use. */
  readonly pinnedRootKeys: readonly string[];
  /** Root bytes trusted before (TOFU or an earlier rotation): a new root must be signed by its keys too. */
  readonly trustedRoot?: Uint8Array;
  /** Highest versions seen before: anything lower is a rollback. */
  readonly minVersions?: RoleVersions;
}

/** Work in progress: the full implementation lands next. */
export class TrustedMetadata {
  constructor(private readonly options: TrustedMetadataOptions) {}

  updateRoot(_bytes: Uint8Array): void {
    throw new TrustError('NOTARY_ERROR', `TUF verification for ${this.options.gun} is not implemented yet`);
  }
  updateTimestamp(_bytes: Uint8Array): void {
    throw new TrustError('NOTARY_ERROR', 'not implemented yet');
  }
  snapshotMeta(): ExpectedFile {
    return {};
  }
  updateSnapshot(_bytes: Uint8Array): void {
    throw new TrustError('NOTARY_ERROR', 'not implemented yet');
  }
  targetsMeta(): ExpectedFile {
    return {};
  }
  updateTargets(_bytes: Uint8Array): void {
    throw new TrustError('NOTARY_ERROR', 'not implemented yet');
  }
  delegationsToFetch(): DelegationToFetch[] {
    return [];
  }
  updateDelegatedTargets(_role: string, _bytes: Uint8Array): 'loaded' | 'skipped' {
    throw new TrustError('NOTARY_ERROR', 'not implemented yet');
  }
  result(): VerifiedTrust {
    throw new TrustError('NOTARY_ERROR', 'not implemented yet');
  }
}
