/**
 * The trust policy document (NOTATION.md section 3, "Trust policy"; section 8, "Policy"): each invalid-document rule
 * with an error naming the field, statement selection, the level x check table, DNs, and trust store folders.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEVELS, resolveActions } from '../../../shared/notation/policy/levels';
import { parseTrustPolicy, selectStatement } from '../../../shared/notation/policy/trust-policy';
import { MemoryTrustStores } from '../../../shared/notation/policy/trust-store';
import { readTrustStoreFolder } from '../../../shared/notation/policy/trust-store-folder';
import { DnError, isDnSubset, parseDn, parseIdentityDn } from '../../../shared/notation/x509/dn';
import { buildChain, CA_EXTENSIONS, issueCertificate, LEAF_EXTENSIONS, testKey } from '../../harness/notation-kit';

const statement = (over: Record<string, unknown> = {}) => ({
  name: 'prod',
  registryScopes: ['registry.example.com/app'],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:acme'],
  trustedIdentities: ['*'],
  ...over,
});
const doc = (...trustPolicies: unknown[]) => ({ version: '1.0', trustPolicies });

describe('trust policy document', () => {
  it('parses a valid document', () => {
    const parsed = parseTrustPolicy(
      doc(
        statement(),
        statement({
          name: 'wild',
          registryScopes: ['*'],
          signatureVerification: {
            level: 'permissive',
            override: { revocation: 'skip' },
            verifyTimestamp: 'afterCertExpiry',
          },
          trustStores: ['ca:acme', 'tsa:ts'],
          trustedIdentities: ['x509.subject:C=US,ST=WA,O=Acme'],
        }),
        statement({
          name: 'off',
          registryScopes: ['localhost:5000/dev'],
          signatureVerification: { level: 'skip' },
          trustStores: undefined,
          trustedIdentities: undefined,
        }),
      ),
    );
    expect(parsed.trustPolicies.map((s) => s.name)).toEqual(['prod', 'wild', 'off']);
    expect(parsed.trustPolicies[1]).toMatchObject({
      verifyTimestamp: 'afterCertExpiry',
      actions: { ...LEVELS.permissive, revocation: 'skip' },
      trustStores: [
        { type: 'ca', name: 'acme' },
        { type: 'tsa', name: 'ts' },
      ],
    });
  });

  it.each<[string, unknown, RegExp]>([
    ['a version other than 1.0', { version: '2.0', trustPolicies: [statement()] }, /^trust policy version:/],
    ['no statements', doc(), /trustPolicies: must list/],
    [
      'an unknown field',
      doc(statement({ trustedIdentity: ['*'] })),
      /trustPolicies\[0\]: unknown field "trustedIdentity"/,
    ],
    ['a missing name', doc(statement({ name: '' })), /trustPolicies\[0\]\.name/],
    [
      'two statements with one name',
      doc(statement(), statement({ registryScopes: ['*'] })),
      /trustPolicies\[1\]\.name/,
    ],
    ['no scopes', doc(statement({ registryScopes: [] })), /registryScopes: must list/],
    ['"*" beside another scope', doc(statement({ registryScopes: ['*', 'a.io/b'] })), /"\*" must be the only scope/],
    [
      'two "*" statements',
      doc(statement({ registryScopes: ['*'] }), statement({ name: 'b', registryScopes: ['*'] })),
      /already a scope/,
    ],
    [
      'one scope in two statements',
      doc(statement(), statement({ name: 'b' })),
      /trustPolicies\[1\]\.registryScopes: "registry.example.com\/app" is already/,
    ],
    ['a scope with a tag', doc(statement({ registryScopes: ['registry.example.com/app:1.0'] })), /registryScopes\[0\]/],
    ['a scope without registry', doc(statement({ registryScopes: ['app'] })), /registryScopes\[0\]/],
    [
      'an unknown level',
      doc(statement({ signatureVerification: { level: 'lenient' } })),
      /signatureVerification\.level/,
    ],
    [
      'an integrity override',
      doc(statement({ signatureVerification: { level: 'strict', override: { integrity: 'log' } } })),
      /override: .*integrity/,
    ],
    [
      'skipping authenticity',
      doc(statement({ signatureVerification: { level: 'strict', override: { authenticity: 'skip' } } })),
      /cannot be skip/,
    ],
    [
      'an unknown override',
      doc(statement({ signatureVerification: { level: 'strict', override: { freshness: 'log' } } })),
      /override: override "freshness"/,
    ],
    [
      'overriding skip',
      doc(
        statement({
          signatureVerification: { level: 'skip', override: { revocation: 'log' } },
          trustStores: undefined,
          trustedIdentities: undefined,
        }),
      ),
      /cannot be overridden/,
    ],
    [
      'a bad verifyTimestamp',
      doc(statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'never' } })),
      /verifyTimestamp/,
    ],
    ['a strict statement without stores', doc(statement({ trustStores: [] })), /trustStores: level "strict" needs/],
    [
      'a strict statement without identities',
      doc(statement({ trustedIdentities: [] })),
      /trustedIdentities: level "strict" needs/,
    ],
    [
      'skip with stores',
      doc(statement({ signatureVerification: { level: 'skip' }, trustedIdentities: undefined })),
      /neither/,
    ],
    ['an unknown store type', doc(statement({ trustStores: ['x509:acme'] })), /trustStores\[0\]/],
    ['a bad store name', doc(statement({ trustStores: ['ca:acme/../x'] })), /trustStores\[0\]: store name/],
    [
      '"*" beside another identity',
      doc(statement({ trustedIdentities: ['*', 'x509.subject:C=US,ST=WA,O=A'] })),
      /only trusted identity/,
    ],
    ['an identity without prefix', doc(statement({ trustedIdentities: ['C=US'] })), /trustedIdentities\[0\]/],
    [
      'an identity lacking ST',
      doc(statement({ trustedIdentities: ['x509.subject:C=US,O=Acme'] })),
      /trustedIdentities\[0\]: .*lacks ST/,
    ],
    [
      'a multi-valued RDN',
      doc(statement({ trustedIdentities: ['x509.subject:C=US,ST=WA,O=Acme+OU=x'] })),
      /multi-valued/,
    ],
    [
      'a repeated attribute',
      doc(statement({ trustedIdentities: ['x509.subject:C=US,ST=WA,O=A,O=B'] })),
      /repeats attribute O/,
    ],
    ['a hex value', doc(statement({ trustedIdentities: ['x509.subject:C=US,ST=WA,O=#0101'] })), /hex-encoded/],
    [
      'overlapping identities',
      doc(statement({ trustedIdentities: ['x509.subject:C=US,ST=WA,O=Acme', 'x509.subject:C=US,ST=WA,O=Acme,CN=x'] })),
      /overlap/,
    ],
  ])('refuses %s, naming the field', (_name, input, message) => {
    expect(() => parseTrustPolicy(input)).toThrow(message);
  });

  it('selects the exact scope before "*", compares hosts without case, and answers undefined with neither', () => {
    const parsed = parseTrustPolicy(
      doc(
        statement({ registryScopes: ['Registry.Example.com/app'] }),
        statement({ name: 'any', registryScopes: ['*'] }),
      ),
    );
    expect(selectStatement(parsed, 'registry.example.com/app')?.name).toBe('prod');
    expect(selectStatement(parsed, 'REGISTRY.example.com/app')?.name).toBe('prod');
    expect(selectStatement(parsed, 'registry.example.com/app/sub')?.name).toBe('any');
    const exactOnly = parseTrustPolicy(doc(statement()));
    expect(selectStatement(exactOnly, 'docker.io/library/nginx')).toBeUndefined();
  });
});

describe('levels', () => {
  it('is the specification table', () => {
    expect(LEVELS).toEqual({
      strict: {
        integrity: 'enforce',
        authenticity: 'enforce',
        authenticTimestamp: 'enforce',
        expiry: 'enforce',
        revocation: 'enforce',
      },
      permissive: {
        integrity: 'enforce',
        authenticity: 'enforce',
        authenticTimestamp: 'log',
        expiry: 'log',
        revocation: 'log',
      },
      audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
      skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
    });
  });
  it('applies overrides to single checks', () => {
    expect(resolveActions('audit', { authenticity: 'enforce', revocation: 'skip' })).toMatchObject({
      authenticity: 'enforce',
      revocation: 'skip',
      expiry: 'log',
    });
    expect(resolveActions('strict', { expiry: 'log', authenticTimestamp: 'log' })).toMatchObject({
      expiry: 'log',
      authenticTimestamp: 'log',
    });
  });
});

describe('distinguished names', () => {
  it('parses RFC 4514 escapes, quotes, spaces and the S alias', () => {
    expect(parseDn('CN=a\\, b,O="Acme, Inc.", ST = WA ')).toEqual(
      new Map([
        ['CN', 'a, b'],
        ['O', 'Acme, Inc.'],
        ['ST', 'WA'],
      ]),
    );
    expect(parseDn('cn=\\E2\\82\\AC sign')).toEqual(new Map([['CN', '€ sign']]));
    expect(parseDn('S=WA').get('ST')).toBe('WA');
  });
  it('refuses malformed DNs', () => {
    for (const bad of ['', 'CN', 'CN=a,', 'CN=a\\q', 'CN="open', '=x']) expect(() => parseDn(bad)).toThrow(DnError);
  });
  it('requires C, ST and O in identities, and matches subsets by value', () => {
    expect(() => parseIdentityDn('C=US,O=A')).toThrow(/lacks ST/);
    const id = parseIdentityDn('C=US,ST=WA,O=A');
    expect(isDnSubset(id, parseDn('CN=x,O=A,ST=WA,C=US'))).toBe(true);
    expect(isDnSubset(id, parseDn('CN=x,O=a,ST=WA,C=US'))).toBe(false);
  });
});

describe('trust store folders', () => {
  it('reads x509/{ca,signingAuthority,tsa}/<name>/*.{crt,pem,cer}, PEM bundles and DER', async () => {
    const a = await buildChain({ slot: 10 });
    const b = await buildChain({ slot: 11 });
    const root = mkdtempSync(join(tmpdir(), 'truststore-'));
    const pem = (der: Uint8Array) =>
      `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
    mkdirSync(join(root, 'x509/ca/acme'), { recursive: true });
    mkdirSync(join(root, 'x509/tsa/ts'), { recursive: true });
    writeFileSync(join(root, 'x509/ca/acme/bundle.pem'), pem(a.ders[2]!) + pem(a.ders[1]!));
    writeFileSync(join(root, 'x509/ca/acme/other.cer'), b.ders[2]!);
    writeFileSync(join(root, 'x509/ca/acme/README.md'), 'not a certificate');
    writeFileSync(join(root, 'x509/tsa/ts/root.crt'), pem(b.ders[2]!));
    const stores = MemoryTrustStores.fromFiles(readTrustStoreFolder(root));
    expect(stores.names()).toEqual(['ca:acme', 'tsa:ts']);
    expect(stores.get('ca', 'acme')).toHaveLength(3);
    expect(stores.get('signingAuthority', 'acme')).toBeUndefined();
  });
  it('refuses a store without certificates, a non-certificate PEM, and a leaf that is not self-signed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'truststore-'));
    mkdirSync(join(root, 'x509/ca/empty'), { recursive: true });
    expect(() => readTrustStoreFolder(root)).toThrow(/ca:empty .* has no/);
    expect(() => readTrustStoreFolder(join(root, 'nowhere'))).toThrow(/no x509/);
    const key = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    expect(() =>
      MemoryTrustStores.fromFiles([{ type: 'ca', name: 'k', fileName: 'k.pem', bytes: Buffer.from(key) }]),
    ).toThrow(/PRIVATE KEY/);
    const chain = await buildChain({ slot: 12 });
    expect(() =>
      MemoryTrustStores.fromFiles([{ type: 'ca', name: 'l', fileName: 'leaf.cer', bytes: chain.ders[0]! }]),
    ).toThrow(/neither a CA nor self-signed/);
    const selfSigned = await issueCertificate({
      subject: 'CN=solo',
      key: testKey('p256', 400),
      extensions: LEAF_EXTENSIONS(),
    });
    const ca = await issueCertificate({ subject: 'CN=ca', key: testKey('p256', 401), extensions: CA_EXTENSIONS() });
    const ok = MemoryTrustStores.fromFiles([
      { type: 'ca', name: 's', fileName: 'solo.cer', bytes: selfSigned },
      { type: 'ca', name: 's', fileName: 'ca.cer', bytes: ca },
    ]);
    expect(ok.get('ca', 's')).toHaveLength(2);
  });
});
