/**
 * The verification core against hostile trust data (issue 10 items 5 and 7, and the hardening list): each test is
 * at a bound and one past it, or shows one identity where the encoding differs.
 */
import { execFileSync } from 'node:child_process';
import { keyIdOf, type TufKeyJson } from '../../../../shared/notary/tuf/keys';
import { MAX_KEYS_PER_ROLE, SIGNATURE_SLACK } from '../../../../shared/notary/tuf/signatures';
import { MAX_DELEGATED_ROLES, TrustedMetadata } from '../../../../shared/notary/tuf/trusted-metadata';
import { trustErrorOf } from './support/expect';
import { makeKey, type TestKey } from './support/keys';
import { verifyRepository } from './support/repository';
import { DIGEST_A, GUN, instantFor, standardKeys, standardRepository } from './support/standard-repository';

const keys = standardKeys();
const NOW = instantFor(keys);
const options = { gun: GUN, nowMs: NOW, pinnedRootKeys: [] as string[] };
const delegationKey = makeKey('ecdsa');

function repositoryWithDelegations(count: number) {
  const repo = standardRepository(keys);
  repo.targets.targets = { v1: DIGEST_A };
  for (let i = 0; i < count; i++) repo.delegate(`targets/signer${i}`, [delegationKey], {});
  return repo.publish();
}

describe('delegations are walked once each, and bounded', () => {
  it(`loads ${MAX_DELEGATED_ROLES} delegated roles (the bound)`, () => {
    const { outcomes } = verifyRepository(repositoryWithDelegations(MAX_DELEGATED_ROLES), options);
    expect(Object.values(outcomes).filter((outcome) => outcome === 'loaded')).toHaveLength(MAX_DELEGATED_ROLES);
  });

  it(`refuses a repository delegating to ${MAX_DELEGATED_ROLES + 1} roles, saying why`, () => {
    const error = trustErrorOf(() => verifyRepository(repositoryWithDelegations(MAX_DELEGATED_ROLES + 1), options));
    expect(error.code).toBe('NOTARY_ERROR');
    expect(error.message).toMatch(new RegExp(`delegates to more than ${MAX_DELEGATED_ROLES} roles`));
  });

  it('lists each pending role once, and never a loaded one again', () => {
    const repo = standardRepository(keys);
    repo.delegate('targets/releases', [delegationKey], {});
    const files = repo.publish();
    const trusted = new TrustedMetadata(options);
    trusted.updateRoot(files.root);
    trusted.updateTimestamp(files.timestamp);
    trusted.updateSnapshot(files.snapshot);
    trusted.updateTargets(files.targets);
    expect(trusted.delegationsToFetch().map((d) => d.role)).toEqual(['targets/releases']);
    trusted.updateDelegatedTargets('targets/releases', files.delegated['targets/releases']!);
    expect(trusted.delegationsToFetch()).toEqual([]);
    expect(trustErrorOf(() => trusted.updateDelegatedTargets('targets/releases', Buffer.from('{}'))).message).toMatch(
      /without being listed/,
    );
  });
});

describe('signatures per envelope are capped', () => {
  /** root.json with `extra` bogus signatures by its one key before the genuine one. */
  function rootWithSignatures(extra: number): Buffer {
    const root = JSON.parse(standardRepository(keys).publish().root.toString());
    const bogus = { keyid: keys.root.id, method: 'ecdsa', sig: Buffer.alloc(64, 1).toString('base64') };
    root.signatures = [...Array.from({ length: extra }, () => bogus), ...root.signatures];
    return Buffer.from(JSON.stringify(root));
  }

  it(`verifies a root with one signature per listed key plus ${SIGNATURE_SLACK} (the bound)`, () => {
    expect(() => new TrustedMetadata(options).updateRoot(rootWithSignatures(SIGNATURE_SLACK))).not.toThrow();
  });

  it(`refuses a root with ${SIGNATURE_SLACK + 2} signatures for its one key, without verifying them`, () => {
    const error = trustErrorOf(() => new TrustedMetadata(options).updateRoot(rootWithSignatures(SIGNATURE_SLACK + 1)));
    expect(error.code).toBe('NOTARY_ERROR');
    expect(error.message).toMatch(/carries 6 signatures, more than the 5/);
  });

  it('refuses a flood of 20,000 signatures at once (it took seconds of CPU before the cap)', () => {
    expect(trustErrorOf(() => new TrustedMetadata(options).updateRoot(rootWithSignatures(20_000))).code).toBe(
      'NOTARY_ERROR',
    );
  });

  it(`refuses a role listing more than ${MAX_KEYS_PER_ROLE} keys`, () => {
    const repo = standardRepository(keys);
    const many = Array.from({ length: MAX_KEYS_PER_ROLE + 1 }, (_, i) => `${i}`.padStart(64, '0'));
    repo.root.edit = (signed) => {
      (signed.roles as Record<string, { keyids: string[] }>).targets!.keyids.push(...many);
    };
    const error = trustErrorOf(() => new TrustedMetadata(options).updateRoot(repo.publish().root));
    expect(error.message).toMatch(/lists 66 keys, more than the 64/);
  });
});

/** The same P-256 public key re-encoded by openssl (explicit curve parameters, or a compressed point). */
function reencoded(key: TestKey, flags: string[]): TestKey {
  const der = execFileSync('openssl', ['ec', '-pubin', ...flags, '-outform', 'DER'], {
    input: key.publicPem,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const json: TufKeyJson & { keyval: { private: null } } = {
    keytype: 'ecdsa',
    keyval: { private: null, public: der.toString('base64') },
  };
  return { ...key, json, id: keyIdOf(json) };
}

describe('one public key counts once toward a threshold, whatever its encoding', () => {
  it.each([
    ['explicit curve parameters', ['-param_enc', 'explicit']],
    ['a compressed point', ['-conv_form', 'compressed']],
  ])('a targets key listed again with %s does not make a threshold of 2', (_name, flags) => {
    const repo = standardRepository(keys);
    repo.targets.targets = { v1: DIGEST_A };
    const again = reencoded(keys.targets, flags);
    expect(again.id).not.toBe(keys.targets.id);
    repo.targets.keys = [keys.targets, again];
    repo.targets.threshold = 2;
    const error = trustErrorOf(() => verifyRepository(repo.publish(), options));
    expect(error.code).toBe('SIGNATURE_INVALID');
    expect(error.message).toMatch(/from 1 of the 2/);
  });
});

describe('signatures cover `signed` as parsed from the bytes', () => {
  it('an unsigned "__proto__" member added to a signed timestamp breaks its signature', () => {
    const files = standardRepository(keys).publish();
    const text = files.timestamp.toString();
    const tampered = Buffer.from(text.replace('{"signed":{', '{"signed":{"__proto__":{"injected":true},'));
    expect(tampered.toString()).toContain('"__proto__"');
    const trusted = new TrustedMetadata(options);
    trusted.updateRoot(files.root);
    expect(trustErrorOf(() => trusted.updateTimestamp(tampered)).code).toBe('SIGNATURE_INVALID');
  });
});

describe('the snapshot', () => {
  it.each(['root', 'targets'])('must record %s metadata', (role) => {
    const repo = standardRepository(keys);
    repo.snapshot.edit = (signed) => {
      delete (signed.meta as Record<string, unknown>)[role];
    };
    const error = trustErrorOf(() => verifyRepository(repo.publish(), options));
    expect(error.code).toBe('NOTARY_ERROR');
    expect(error.message).toMatch(new RegExp(`does not record ${role} metadata`));
  });
});

describe('pinned root keys', () => {
  const other = makeKey('ecdsa');

  it('a rootKeys entry holding several PEM blocks pins every one of them', () => {
    const files = standardRepository(keys).publish();
    const bundle = `${other.publicPem}\n${keys.root.certificatePem}`;
    expect(() => new TrustedMetadata({ ...options, pinnedRootKeys: [bundle] }).updateRoot(files.root)).not.toThrow();
  });

  it('an entry with a block that is no public key or certificate is refused with a message', () => {
    const privatePem = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = trustErrorOf(
      () => new TrustedMetadata({ ...options, pinnedRootKeys: [`${keys.root.publicPem}${privatePem}`] }),
    );
    expect(error.message).toMatch(/PEM block 2 of 2\) is a "PRIVATE KEY", not a public key or certificate/);
  });
});
