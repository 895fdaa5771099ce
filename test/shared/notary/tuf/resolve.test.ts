import type { ImageReference } from '../../../../shared/image/types';
import { resolveImage } from '../../../../shared/notary/tuf/resolve';
import type { VerifiedTrust } from '../../../../shared/notary/tuf/types';

const NAME = 'docker.io/acme/app';
const sha = (c: string) => `sha256:${c.repeat(64)}`;
const [A, B, C, D, E, F] = ['a', 'b', 'c', 'd', 'e', 'f'].map(sha) as [string, string, string, string, string, string];

/** targets: v1=A, v2=B, old=C; targets/releases: v1=D, v3=E; targets/other: v4=F (never trusted by default). */
const trust: VerifiedTrust = {
  gun: NAME,
  roles: [
    {
      role: 'targets',
      targets: { v1: { digest: A, length: 1 }, v2: { digest: B, length: 1 }, old: { digest: C, length: 1 } },
    },
    { role: 'targets/releases', targets: { v1: { digest: D, length: 1 }, v3: { digest: E, length: 1 } } },
    { role: 'targets/other', targets: { v4: { digest: F, length: 1 } } },
  ],
  versions: { root: 1, timestamp: 1, snapshot: 1, targets: 1, 'targets/releases': 1, 'targets/other': 1 },
  expiresAtMs: 0,
  root: '',
  rootVersion: 1,
  skippedRoles: [],
};

function ref(tag: string | undefined, digest?: string): ImageReference {
  const reference = `${NAME}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  const [domain, ...path] = NAME.split('/');
  return { original: reference, domain: domain!, path: path.join('/'), name: NAME, tag, digest, reference };
}

const strict = { requireDigest: true };
const lenient = { requireDigest: false };

describe('resolveImage', () => {
  describe('a digest-only reference', () => {
    it.each([
      ['signed in targets/releases', D, 'v1'],
      ['signed in targets even when releases signs the tag differently', A, 'v1'],
      ['signed only in targets', C, 'old'],
    ])('is allowed when %s', (_case, digest, tag) => {
      const verdict = resolveImage(ref(undefined, digest), trust, strict);
      expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', format: 'notary-v1', signedDigest: digest });
      expect(verdict.reason).toContain(`"${tag}"`);
    });

    it('is NOT_SIGNED when no trusted role signs the digest', () => {
      expect(resolveImage(ref(undefined, sha('9')), trust, strict)).toMatchObject({
        allowed: false,
        code: 'NOT_SIGNED',
      });
    });

    it('is NOT_SIGNED when only an untrusted delegation signs it, naming that delegation', () => {
      const verdict = resolveImage(ref(undefined, F), trust, strict);
      expect(verdict.code).toBe('NOT_SIGNED');
      expect(verdict.reason).toContain(
        'signed in targets/other as tag "v4", but this rule requires targets/releases or targets)',
      );
    });

    it('is NOT_SIGNED for a non-sha256 digest, saying notary signs sha256 only', () => {
      const verdict = resolveImage(ref(undefined, `sha512:${'a'.repeat(128)}`), trust, strict);
      expect(verdict.code).toBe('NOT_SIGNED');
      expect(verdict.reason).toContain('sha256 digests only');
    });
  });

  describe('a tag and digest reference', () => {
    it('is allowed when the digest is the signed digest of the tag in targets/releases', () => {
      expect(resolveImage(ref('v1', D), trust, strict)).toMatchObject({ allowed: true, code: 'SIGNED' });
    });

    it('is DIGEST_MISMATCH, naming the signed digest, when targets signs it but releases signs another', () => {
      const verdict = resolveImage(ref('v1', A), trust, strict);
      expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH', signedDigest: D });
      expect(verdict.reason).toContain(`${NAME}:v1@${D}`);
    });

    it('falls back to targets when releases does not sign the tag', () => {
      expect(resolveImage(ref('v2', B), trust, strict).code).toBe('SIGNED');
    });

    it('is NOT_SIGNED when no trusted role signs the tag', () => {
      expect(resolveImage(ref('v9', A), trust, strict)).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
    });

    it('compares digests case-insensitively', () => {
      expect(resolveImage(ref('v1', D.toUpperCase().replace('SHA256', 'sha256')), trust, strict).code).toBe('SIGNED');
    });
  });

  describe('a tag-only reference', () => {
    it('is DIGEST_REQUIRED with the digest to pin when digests are required', () => {
      const verdict = resolveImage(ref('v1'), trust, strict);
      expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_REQUIRED', signedDigest: D });
      expect(verdict.reason).toContain(`use ${NAME}:v1@${D}`);
    });

    it('is allowed with the signed digest when digests are not required', () => {
      expect(resolveImage(ref('v3'), trust, lenient)).toMatchObject({ allowed: true, code: 'SIGNED', signedDigest: E });
    });

    it('is NOT_SIGNED when the tag is unsigned, whatever requireDigest says', () => {
      expect(resolveImage(ref('v4'), trust, strict).code).toBe('NOT_SIGNED');
      expect(resolveImage(ref('v4'), trust, lenient).code).toBe('NOT_SIGNED');
    });
  });

  describe('with required delegations', () => {
    const releasesOnly = { requireDigest: true, delegations: ['targets/releases'] };

    it('counts only digests signed in those roles', () => {
      expect(resolveImage(ref(undefined, A), trust, releasesOnly).code).toBe('NOT_SIGNED');
      expect(resolveImage(ref(undefined, E), trust, releasesOnly).code).toBe('SIGNED');
      expect(resolveImage(ref('v2', B), trust, releasesOnly).code).toBe('NOT_SIGNED');
    });

    it('says so when the digest is signed in targets, which the rule leaves out', () => {
      const verdict = resolveImage(ref(undefined, A), trust, releasesOnly);
      expect(verdict.code).toBe('NOT_SIGNED');
      expect(verdict.reason).toContain(
        'signed in targets as tag "v1", but this rule requires targets/releases: list targets in the rule\'s notary.delegations to accept it)',
      );
    });

    it('says so when the tag is signed only in targets, naming its digest there', () => {
      const verdict = resolveImage(ref('v2', B), trust, releasesOnly);
      expect(verdict.code).toBe('NOT_SIGNED');
      expect(verdict.reason).toContain(`the tag is signed in targets (${B}), but this rule requires targets/releases`);
    });

    it('adds nothing when no verified role signs it', () => {
      expect(resolveImage(ref(undefined, sha('9')), trust, releasesOnly).reason).not.toContain('but this rule');
      expect(resolveImage(ref('nope'), trust, releasesOnly).reason).not.toContain('but this rule');
    });

    it('resolves tags in the order the rule names the roles', () => {
      const targetsFirst = { requireDigest: false, delegations: ['targets', 'targets/releases'] };
      expect(resolveImage(ref('v1'), trust, targetsFirst).signedDigest).toBe(A);
    });

    it('can trust a delegation docker would not', () => {
      expect(resolveImage(ref('v4', F), trust, { requireDigest: true, delegations: ['targets/other'] }).code).toBe(
        'SIGNED',
      );
    });

    it('names a required role that was skipped, and why', () => {
      const skipped: VerifiedTrust = {
        ...trust,
        roles: trust.roles.filter((r) => r.role !== 'targets/releases'),
        skippedRoles: [{ role: 'targets/releases', reason: 'it expired at 2026-01-01T00:00:00.000Z' }],
      };
      const verdict = resolveImage(ref('v1', D), skipped, releasesOnly);
      expect(verdict.code).toBe('NOT_SIGNED');
      expect(verdict.reason).toContain('targets/releases was not used: it expired at 2026-01-01T00:00:00.000Z');
    });
  });
});
