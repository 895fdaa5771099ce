/**
 * Certificate requirements (NOTATION.md section 3 and 8, "Certificates"): each rule on its own, on chains issued
 * for the test, checked by checkChain and, for a few, through the whole verification (SIGNATURE_INVALID).
 */
import { MEDIA_TYPE } from '../../../shared/notation/media-types';
import { verifySignature } from '../../../shared/notation/verify/verify-signature';
import { checkChain } from '../../../shared/notation/x509/chain';
import { parseCertificate } from '../../../shared/notation/x509/parse';
import {
  buildChain,
  CA_EXTENSIONS,
  type ChainOptions,
  DATES,
  ext,
  issueCertificate,
  jwsEnvelope,
  type KeySpec,
  LEAF_EXTENSIONS,
  statementOf,
  storesOf,
  TARGET,
  testKey,
} from '../../harness/notation-kit';

const KU = ext.KU;
const EKU = {
  codeSigning: '1.3.6.1.5.5.7.3.3',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  email: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  any: '2.5.29.37.0',
};

async function chainReason(opts: ChainOptions, profile: 'codeSigning' | 'timestamping' = 'codeSigning') {
  const chain = await buildChain(opts);
  return checkChain(chain.ders.map(parseCertificate), profile);
}

describe('code-signing leaf', () => {
  it('passes the default profile (KU digitalSignature critical, EKU codeSigning)', async () => {
    expect(await chainReason({})).toBeUndefined();
  });
  it('passes without EKU, and with a non-critical basicConstraints cA=false', async () => {
    expect(await chainReason({ leafExtensions: [ext.ku(KU.digitalSignature)] })).toBeUndefined();
    expect(await chainReason({ leafExtensions: [...LEAF_EXTENSIONS(), ext.notCa()] })).toBeUndefined();
  });
  it.each([
    ['no keyUsage', [ext.eku([EKU.codeSigning])], /no keyUsage/],
    ['a non-critical keyUsage', [ext.ku(KU.digitalSignature, false)], /not critical/],
    ['keyUsage without digitalSignature', [ext.ku(KU.nonRepudiation)], /lacks digitalSignature/],
    ['keyUsage with keyEncipherment', [ext.ku(KU.digitalSignature | KU.keyEncipherment)], /more than signing/],
    ['keyUsage with keyCertSign', [ext.ku(KU.digitalSignature | KU.keyCertSign)], /more than signing/],
    ['keyUsage with keyAgreement', [ext.ku(KU.digitalSignature | KU.keyAgreement)], /more than signing/],
    ['basicConstraints cA=true', [ext.ku(KU.digitalSignature), ext.ca()], /is a CA/],
  ])('fails with %s', async (_name, leafExtensions, reason) => {
    expect(await chainReason({ leafExtensions })).toMatch(reason);
  });
  it.each(Object.entries(EKU).filter(([name]) => name !== 'codeSigning'))('fails with EKU %s', async (_name, oid) => {
    const reason = await chainReason({
      leafExtensions: [ext.ku(KU.digitalSignature), ext.eku([EKU.codeSigning, oid])],
    });
    expect(reason).toMatch(/extended key usage/);
  });
});

describe('CA certificates', () => {
  it.each([
    ['no basicConstraints', [ext.ku(KU.keyCertSign)], /no basicConstraints/],
    [
      'a non-critical basicConstraints',
      [ext.ca(false), ext.ku(KU.keyCertSign)],
      /basicConstraints extension is not critical/,
    ],
    ['basicConstraints cA=false', [ext.notCa(true), ext.ku(KU.keyCertSign)], /not a CA/],
    ['no keyUsage', [ext.ca()], /no keyUsage/],
    ['a non-critical keyUsage', [ext.ca(), ext.ku(KU.keyCertSign, false)], /keyUsage is not critical/],
    ['keyUsage without keyCertSign', [ext.ca(), ext.ku(KU.cRLSign)], /lacks keyCertSign/],
  ])('an intermediate with %s fails', async (_name, intermediateExtensions, reason) => {
    expect(await chainReason({ intermediateExtensions })).toMatch(reason);
  });
  it('a root with a non-critical keyUsage fails', async () => {
    expect(await chainReason({ rootExtensions: [ext.ca(), ext.ku(KU.keyCertSign, false)] })).toMatch(/not critical/);
  });
  it('pathLen: a root allowing 0 intermediates fails above one intermediate; allowing 1 passes', async () => {
    expect(await chainReason({ rootExtensions: [ext.ca(true, 0), ext.ku(KU.keyCertSign)] })).toMatch(/allows 0/);
    expect(await chainReason({ rootExtensions: [ext.ca(true, 1), ext.ku(KU.keyCertSign)] })).toBeUndefined();
    expect(await chainReason({ intermediates: 2, rootExtensions: [ext.ca(true, 1), ext.ku(KU.keyCertSign)] })).toMatch(
      /allows 1/,
    );
  });
});

describe('chain shape', () => {
  it('fails in the wrong order', async () => {
    const chain = await buildChain();
    const [leaf, ca, root] = chain.ders.map(parseCertificate);
    expect(checkChain([leaf!, root!, ca!], 'codeSigning')).toMatch(/not issued by/);
  });
  it('fails with an unrelated certificate in the middle', async () => {
    const chain = await buildChain();
    const other = await buildChain({ slot: 7 });
    const parsed = chain.ders.map(parseCertificate);
    expect(checkChain([parsed[0]!, parseCertificate(other.ders[1]!), parsed[2]!], 'codeSigning')).toMatch(
      /not issued by/,
    );
  });
  it('fails without its root and with an extra root', async () => {
    const chain = await buildChain();
    const parsed = chain.ders.map(parseCertificate);
    expect(checkChain(parsed.slice(0, 2), 'codeSigning')).toMatch(/not a self-signed root/);
    expect(checkChain([...parsed, parsed[2]!], 'codeSigning')).toMatch(/self-signed; only the last/);
  });
  it('fails with a self-signed intermediate', async () => {
    const key = testKey('p256', 300);
    const selfSignedCa = await issueCertificate({
      subject: 'CN=Loose CA,O=Acme Inc.,ST=WA,C=US',
      key,
      extensions: CA_EXTENSIONS(),
    });
    const leaf = await issueCertificate({
      subject: 'CN=leaf,O=Acme Inc.,ST=WA,C=US',
      key: testKey('p256', 301),
      issuer: { subject: 'CN=Loose CA,O=Acme Inc.,ST=WA,C=US', key },
      extensions: LEAF_EXTENSIONS(),
    });
    const root = (await buildChain()).ders[2]!;
    expect(checkChain([leaf, selfSignedCa, root].map(parseCertificate), 'codeSigning')).toMatch(
      /position 1 is self-signed/,
    );
  });
  it('passes a single self-signed leaf, and fails a single leaf that is not self-signed', async () => {
    const key = testKey('p256', 310);
    const selfSigned = await issueCertificate({
      subject: 'CN=solo,O=Acme Inc.,ST=WA,C=US',
      key,
      extensions: LEAF_EXTENSIONS(),
    });
    expect(checkChain([parseCertificate(selfSigned)], 'codeSigning')).toBeUndefined();
    const chain = await buildChain();
    expect(checkChain([parseCertificate(chain.ders[0]!)], 'codeSigning')).toMatch(/not self-signed/);
  });
  it('fails a single self-signed certificate that breaks the leaf rules', async () => {
    const key = testKey('p256', 311);
    const selfSignedCa = await issueCertificate({
      subject: 'CN=solo CA,O=Acme Inc.,ST=WA,C=US',
      key,
      extensions: CA_EXTENSIONS(),
    });
    expect(checkChain([parseCertificate(selfSignedCa)], 'codeSigning')).toMatch(/is a CA|more than signing/);
  });
  it('fails a SHA-1-signed certificate and passes an RSASSA-PSS-signed one', async () => {
    const rootKey = testKey('p256', 320);
    const rootSubject = 'CN=SHA1 Root,O=Acme Inc.,ST=WA,C=US';
    const root = await issueCertificate({ subject: rootSubject, key: rootKey, extensions: CA_EXTENSIONS() });
    const leaf = await issueCertificate({
      subject: 'CN=old,O=Acme Inc.,ST=WA,C=US',
      key: testKey('p256', 321),
      issuer: { subject: rootSubject, key: rootKey },
      extensions: LEAF_EXTENSIONS(),
      hash: 'SHA-1',
    });
    expect(checkChain([leaf, root].map(parseCertificate), 'codeSigning')).toMatch(/signed with sha1/);

    const rsaRootKey = testKey('rsa2048', 322);
    const rsaSubject = 'CN=PSS Root,O=Acme Inc.,ST=WA,C=US';
    const pssRoot = await issueCertificate({
      subject: rsaSubject,
      key: rsaRootKey,
      extensions: CA_EXTENSIONS(),
      pss: true,
    });
    const pssLeaf = await issueCertificate({
      subject: 'CN=pss,O=Acme Inc.,ST=WA,C=US',
      key: testKey('p256', 323),
      issuer: { subject: rsaSubject, key: rsaRootKey },
      extensions: LEAF_EXTENSIONS(),
      pss: true,
    });
    expect(checkChain([pssLeaf, pssRoot].map(parseCertificate), 'codeSigning')).toBeUndefined();
  });
  it('fails a chain longer than MAX_CHAIN_LENGTH (10) and passes one of exactly 10', async () => {
    expect(await chainReason({ intermediates: 8 })).toBeUndefined();
    expect(await chainReason({ intermediates: 9 })).toMatch(/at most 10/);
  });
});

describe('signing keys', () => {
  it.each<[KeySpec, RegExp]>([
    ['rsa1024', /1024 bits/],
    ['p224', /unsupported curve/],
    ['ed25519', /ed25519 key/],
  ])('a %s leaf fails as an integrity failure', async (leafKey, reason) => {
    const chain = await buildChain({ leafKey });
    expect(checkChain(chain.ders.map(parseCertificate), 'codeSigning')).toMatch(reason);
    const outcome = await verifySignature({
      descriptor: TARGET,
      envelope: jwsEnvelope({ chain, alg: 'ES256' }),
      envelopeMediaType: MEDIA_TYPE.jws,
      statement: statementOf({ level: 'audit' }),
      stores: storesOf({ 'ca:test': [chain.root] }),
      nowMs: DATES.now.getTime(),
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ verified: false, code: 'SIGNATURE_INVALID', check: 'integrity' });
  });
});

describe('timestamping profile', () => {
  it('passes a TSA leaf with a critical timeStamping-only EKU, with a non-critical CA keyUsage', async () => {
    const leafExtensions = [ext.ku(KU.digitalSignature), ext.eku([EKU.timeStamping], true)];
    expect(
      await chainReason(
        { leafExtensions, intermediateExtensions: [ext.ca(), ext.ku(KU.keyCertSign, false)] },
        'timestamping',
      ),
    ).toBeUndefined();
  });
  it.each([
    ['no EKU', [ext.ku(KU.digitalSignature)], /no extended key usage/],
    ['a non-critical EKU', [ext.ku(KU.digitalSignature), ext.eku([EKU.timeStamping])], /not critical/],
    ['a second EKU', [ext.ku(KU.digitalSignature), ext.eku([EKU.timeStamping, EKU.codeSigning], true)], /only/],
    ['no keyUsage', [ext.eku([EKU.timeStamping], true)], /has no keyUsage extension/],
    [
      'a keyUsage beyond signing',
      [ext.ku(KU.digitalSignature | KU.keyEncipherment), ext.eku([EKU.timeStamping], true)],
      /keyUsage allows more than signing/,
    ],
  ])('fails a TSA leaf with %s', async (_name, leafExtensions, reason) => {
    expect(await chainReason({ leafExtensions }, 'timestamping')).toMatch(reason);
  });
});
