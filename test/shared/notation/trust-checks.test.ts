/**
 * Authenticity, identity, expiry, authentic timestamp, revocation, plugins and levels (NOTATION.md section 8):
 * each check enforced, logged (a warning on a verified outcome) or skipped as the statement's level says.
 */
import { X509Certificate } from 'node:crypto';
import { MEDIA_TYPE } from '../../../shared/notation/media-types';
import {
  NotationError,
  type PluginInput,
  type PluginResult,
  type RevocationChecker,
  type RevocationStatus,
  type TimestampVerifier,
  type TimestampVerifyInput,
  type VerificationPlugin,
} from '../../../shared/notation/types';
import { type SignatureVerifyInput, verifySignature } from '../../../shared/notation/verify/verify-signature';
import {
  buildChain,
  DATES,
  ext,
  jwsEnvelope,
  type StatementInput,
  statementOf,
  storesOf,
  TARGET,
  type TestChain,
} from '../../harness/notation-kit';

const KU = ext.KU;
const day = 86_400_000;
let chain: TestChain;
let tsaChain: TestChain;
beforeAll(async () => {
  chain = await buildChain();
  tsaChain = await buildChain({
    slot: 5,
    leafSubject: 'CN=Test TSA,O=Acme Inc.,ST=WA,C=US',
    leafExtensions: [ext.ku(KU.digitalSignature), ext.eku(['1.3.6.1.5.5.7.3.8'], true)],
    leafNotBefore: new Date('2024-06-01T00:00:00Z'),
    leafNotAfter: new Date('2030-01-01T00:00:00Z'),
  });
});

function revocationAnswering(status: RevocationStatus): RevocationChecker & { calls: number } {
  const checker = {
    calls: 0,
    async check() {
      checker.calls++;
      return status;
    },
  };
  return checker;
}

function timestampsAnswering(
  genTimeMs: number,
  accuracyMs = 0,
): TimestampVerifier & { inputs: TimestampVerifyInput[] } {
  const verifier = {
    inputs: [] as TimestampVerifyInput[],
    async verify(input: TimestampVerifyInput) {
      verifier.inputs.push(input);
      return { genTimeMs, accuracyMs, tsaChain: tsaChain.ders.map((d) => new X509Certificate(d)) };
    },
  };
  return verifier;
}

interface RunOptions extends Partial<Omit<SignatureVerifyInput, 'statement'>> {
  readonly policy?: StatementInput;
  readonly protectedHeader?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  readonly signWith?: TestChain;
  readonly now?: Date;
}

function run(opts: RunOptions = {}) {
  const signer = opts.signWith ?? chain;
  return verifySignature({
    descriptor: TARGET,
    envelope: jwsEnvelope({ chain: signer, protected: opts.protectedHeader, header: opts.header }),
    envelopeMediaType: MEDIA_TYPE.jws,
    stores: storesOf({ 'ca:test': [signer.root], 'signingAuthority:sa': [signer.root], 'tsa:ts': [tsaChain.root] }),
    nowMs: (opts.now ?? DATES.now).getTime(),
    signal: new AbortController().signal,
    revocation: revocationAnswering({ status: 'ok' }),
    ...opts,
    statement: statementOf(opts.policy),
  });
}

const SA_HEADERS = {
  'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
  'io.cncf.notary.signingTime': undefined,
  'io.cncf.notary.authenticSigningTime': DATES.signedAt.toISOString(),
  crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime'],
};
const withExpiry = (at: Date) => ({
  'io.cncf.notary.expiry': at.toISOString(),
  crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'],
});

describe('authenticity: trust stores', () => {
  it('denies a chain with no certificate in the store under strict, and logs it under audit', async () => {
    const other = await buildChain({ slot: 3 });
    const stores = storesOf({ 'ca:test': [other.root] });
    expect(await run({ stores })).toMatchObject({
      verified: false,
      code: 'CERTIFICATE_UNTRUSTED',
      check: 'authenticity',
    });
    const audit = await run({ stores, policy: { level: 'audit' } });
    expect(audit).toMatchObject({
      verified: true,
      warnings: [{ code: 'CERTIFICATE_UNTRUSTED', check: 'authenticity' }],
    });
  });
  it('never uses a signingAuthority store for a notary.x509 signature', async () => {
    const outcome = await run({ policy: { trustStores: ['signingAuthority:sa'] } });
    expect(outcome).toMatchObject({ verified: false, code: 'CERTIFICATE_UNTRUSTED' });
    if (!outcome.verified) expect(outcome.reason).toMatch(/no ca trust store/);
  });
  it('never uses a ca store for a signingAuthority signature, and uses a signingAuthority one', async () => {
    const outcome = await run({ protectedHeader: SA_HEADERS, policy: { trustStores: ['ca:test'] } });
    expect(outcome).toMatchObject({ verified: false, code: 'CERTIFICATE_UNTRUSTED' });
    if (!outcome.verified) expect(outcome.reason).toMatch(/no signingAuthority trust store/);
    expect(await run({ protectedHeader: SA_HEADERS, policy: { trustStores: ['signingAuthority:sa'] } })).toMatchObject({
      verified: true,
    });
  });
  it('accepts an intermediate pinned in the store', async () => {
    expect(await run({ stores: storesOf({ 'ca:test': [chain.ders[1]!] }) })).toMatchObject({ verified: true });
  });
  it('does not use a tsa store as a ca store', async () => {
    const outcome = await run({ stores: storesOf({ 'ca:test': [tsaChain.root], 'tsa:ts': [chain.root] }) });
    expect(outcome).toMatchObject({ verified: false, code: 'CERTIFICATE_UNTRUSTED' });
  });
});

describe('authenticity: trusted identities', () => {
  it.each([
    ['*', ['*']],
    ['a subset of the subject', ['x509.subject:C=US,ST=WA,O=Acme Inc.']],
    ['the subject in another order, with S for ST', ['x509.subject:O=Acme Inc.,S=WA,C=US,CN=signer']],
    ['one of several identities', ['x509.subject:C=US,ST=CA,O=Other', 'x509.subject:C=US,ST=WA,O=Acme Inc.,L=Seattle']],
  ])('admits %s', async (_name, trustedIdentities) => {
    expect(await run({ policy: { trustedIdentities } })).toMatchObject({ verified: true });
  });
  it('matches an escaped comma in the DN', async () => {
    const comma = await buildChain({ slot: 4, leafSubject: 'CN=signer,O=Acme\\, Inc.,ST=WA,C=US' });
    const trustedIdentities = ['x509.subject:C=US,ST=WA,O=Acme\\, Inc.'];
    expect(await run({ signWith: comma, policy: { trustedIdentities } })).toMatchObject({ verified: true });
  });
  it('denies a subject that does not match with IDENTITY_UNTRUSTED, and logs it under audit', async () => {
    const trustedIdentities = ['x509.subject:C=US,ST=WA,O=Acme Inc.,CN=someone else'];
    expect(await run({ policy: { trustedIdentities } })).toMatchObject({ verified: false, code: 'IDENTITY_UNTRUSTED' });
    expect(await run({ policy: { trustedIdentities, level: 'audit' } })).toMatchObject({
      verified: true,
      warnings: [{ code: 'IDENTITY_UNTRUSTED' }],
    });
  });
  it('does not match identities of other prefixes natively (they are for plugins)', async () => {
    const trustedIdentities = ['arn:aws:signer:us-east-1:123456789012:/signing-profiles/p'];
    expect(await run({ policy: { trustedIdentities } })).toMatchObject({ verified: false, code: 'IDENTITY_UNTRUSTED' });
  });
});

describe('expiry', () => {
  const expired = withExpiry(new Date(DATES.now.getTime() - day));
  it('denies an expired signature under strict, logs it under permissive and with override expiry: log', async () => {
    expect(await run({ protectedHeader: expired })).toMatchObject({ verified: false, code: 'SIGNATURE_EXPIRED' });
    expect(await run({ protectedHeader: expired, policy: { level: 'permissive' } })).toMatchObject({
      verified: true,
      warnings: [{ code: 'SIGNATURE_EXPIRED', check: 'expiry' }],
    });
    expect(await run({ protectedHeader: expired, policy: { override: { expiry: 'log' } } })).toMatchObject({
      verified: true,
      warnings: [{ code: 'SIGNATURE_EXPIRED' }],
    });
  });
  it('treats the expiry instant itself as expired', async () => {
    expect(await run({ protectedHeader: withExpiry(DATES.now) })).toMatchObject({ code: 'SIGNATURE_EXPIRED' });
    expect(await run({ protectedHeader: withExpiry(new Date(DATES.now.getTime() + 1)) })).toMatchObject({
      verified: true,
    });
  });
});

describe('authentic timestamp', () => {
  const afterLeafExpiry = new Date('2027-01-01T00:00:00Z');
  const token = { 'io.cncf.notary.timestampSignature': Buffer.from('token').toString('base64') };

  it('without tsa stores: the chain must be valid now (strict fails, permissive logs)', async () => {
    expect(await run({ now: afterLeafExpiry })).toMatchObject({ verified: false, code: 'CERTIFICATE_EXPIRED' });
    expect(await run({ now: afterLeafExpiry, policy: { level: 'permissive' } })).toMatchObject({
      verified: true,
      warnings: [{ code: 'CERTIFICATE_EXPIRED', check: 'authenticTimestamp' }],
    });
    expect(await run({ now: new Date('2024-12-31T00:00:00Z') })).toMatchObject({ code: 'CERTIFICATE_EXPIRED' });
  });
  it('with tsa stores: a timestamp inside the chain validity verifies an expired chain', async () => {
    const timestamps = timestampsAnswering(DATES.signedAt.getTime(), 1000);
    const outcome = await run({
      now: afterLeafExpiry,
      header: token,
      timestamps,
      policy: { trustStores: ['ca:test', 'tsa:ts'] },
    });
    expect(outcome).toMatchObject({ verified: true, warnings: [], signer: { timestampMs: DATES.signedAt.getTime() } });
    expect(timestamps.inputs[0]!.tsaRoots.map((c) => c.fingerprint256)).toEqual([tsaChain.root.fingerprint256]);
    expect(Buffer.from(timestamps.inputs[0]!.tokenDer).toString()).toBe('token');
  });
  it('with tsa stores: a missing token, a failing token and a time outside the chain validity are denied', async () => {
    const policy = { trustStores: ['ca:test', 'tsa:ts'] };
    expect(await run({ policy, timestamps: timestampsAnswering(DATES.signedAt.getTime()) })).toMatchObject({
      code: 'TIMESTAMP_INVALID',
    });
    const failing: TimestampVerifier = {
      verify: async () => {
        throw new NotationError('TIMESTAMP_INVALID', 'message imprint does not match');
      },
    };
    const outcome = await run({ policy, header: token, timestamps: failing });
    expect(outcome).toMatchObject({ code: 'TIMESTAMP_INVALID' });
    if (!outcome.verified) expect(outcome.reason).toMatch(/imprint/);
    const before = timestampsAnswering(DATES.leafFrom.getTime() - day);
    expect(await run({ policy, header: token, timestamps: before })).toMatchObject({ code: 'CERTIFICATE_EXPIRED' });
    // genTime inside, but the accuracy reaches past notAfter.
    const edge = timestampsAnswering(DATES.leafTo.getTime() - 500, 1000);
    expect(await run({ policy, header: token, timestamps: edge, now: afterLeafExpiry })).toMatchObject({
      code: 'CERTIFICATE_EXPIRED',
    });
  });
  it('with tsa stores and no timestamp verifier, fails closed', async () => {
    expect(await run({ header: token, policy: { trustStores: ['ca:test', 'tsa:ts'] } })).toMatchObject({
      code: 'TIMESTAMP_INVALID',
    });
  });
  it('afterCertExpiry: does not look at the timestamp while the chain is valid, uses it once expired', async () => {
    const timestamps = timestampsAnswering(DATES.signedAt.getTime());
    const policy = { trustStores: ['ca:test', 'tsa:ts'], verifyTimestamp: 'afterCertExpiry' };
    expect(await run({ policy, timestamps })).toMatchObject({ verified: true });
    expect(timestamps.inputs).toHaveLength(0);
    expect(await run({ policy, timestamps, header: token, now: afterLeafExpiry })).toMatchObject({ verified: true });
    expect(timestamps.inputs).toHaveLength(1);
  });
  it('rejects a TSA chain that breaks the timestamping rules', async () => {
    const badTsa = await buildChain({
      slot: 6,
      leafExtensions: [ext.ku(KU.digitalSignature), ext.eku(['1.3.6.1.5.5.7.3.8'])],
    });
    const timestamps: TimestampVerifier = {
      verify: async () => ({
        genTimeMs: DATES.signedAt.getTime(),
        accuracyMs: 0,
        tsaChain: badTsa.ders.map((d) => new X509Certificate(d)),
      }),
    };
    const outcome = await run({ header: token, timestamps, policy: { trustStores: ['ca:test', 'tsa:ts'] } });
    expect(outcome).toMatchObject({ code: 'TIMESTAMP_INVALID' });
  });
  it('signingAuthority: the authentic signing time must be inside the chain validity, even after leaf expiry', async () => {
    const policy = { trustStores: ['signingAuthority:sa'] };
    expect(await run({ protectedHeader: SA_HEADERS, policy, now: afterLeafExpiry })).toMatchObject({ verified: true });
    const early = { ...SA_HEADERS, 'io.cncf.notary.authenticSigningTime': '2024-12-01T00:00:00Z' };
    expect(await run({ protectedHeader: early, policy })).toMatchObject({ code: 'CERTIFICATE_EXPIRED' });
  });
});

describe('revocation', () => {
  it('denies a revoked chain with REVOKED (strict) and logs it under permissive', async () => {
    const revocation = revocationAnswering({ status: 'revoked', reason: 'keyCompromise' });
    expect(await run({ revocation })).toMatchObject({ verified: false, code: 'REVOKED', check: 'revocation' });
    expect(await run({ revocation, policy: { level: 'permissive' } })).toMatchObject({
      verified: true,
      warnings: [{ code: 'REVOKED' }],
    });
  });
  it('denies an unknown status under strict, admits it under permissive', async () => {
    const revocation = revocationAnswering({ status: 'unavailable', reason: 'OCSP responder timed out' });
    expect(await run({ revocation })).toMatchObject({ verified: false, code: 'REVOCATION_UNAVAILABLE' });
    expect(await run({ revocation, policy: { level: 'permissive' } })).toMatchObject({ verified: true });
  });
  it('treats a checker that throws as unavailable, and a missing checker as unavailable', async () => {
    const throwing: RevocationChecker = {
      check: async () => {
        throw new Error('boom');
      },
    };
    expect(await run({ revocation: throwing })).toMatchObject({ code: 'REVOCATION_UNAVAILABLE' });
    expect(await run({ revocation: undefined })).toMatchObject({ code: 'REVOCATION_UNAVAILABLE' });
  });
  it('makes no call with override revocation: skip', async () => {
    const revocation = revocationAnswering({ status: 'revoked', reason: 'x' });
    expect(await run({ revocation, policy: { override: { revocation: 'skip' } } })).toMatchObject({ verified: true });
    expect(revocation.calls).toBe(0);
  });
  it('passes the chain leaf first', async () => {
    const seen: string[][] = [];
    const revocation: RevocationChecker = {
      check: async (c) => {
        seen.push(c.map((x) => x.fingerprint256));
        return { status: 'ok' };
      },
    };
    await run({ revocation });
    expect(seen[0]).toEqual(chain.ders.map((d) => new X509Certificate(d).fingerprint256));
  });
});

describe('verification plugins', () => {
  const PLUGIN = 'com.example.plugin';
  const pluginHeaders = (extra: Record<string, unknown> = {}) => ({
    'io.cncf.notary.verificationPlugin': PLUGIN,
    'com.example.profile': 'p1',
    crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.verificationPlugin', 'com.example.profile'],
    ...extra,
  });
  function plugin(
    result: Partial<PluginResult> = {},
    version = '1.2.0',
  ): VerificationPlugin & { inputs: PluginInput[] } {
    const p = {
      name: PLUGIN,
      version,
      inputs: [] as PluginInput[],
      async verify(input: PluginInput): Promise<PluginResult> {
        p.inputs.push(input);
        return {
          identity: { ok: true },
          revocation: { ok: true },
          processedAttributes: ['com.example.profile'],
          ...result,
        };
      },
    };
    return p;
  }
  const plugins = (p: VerificationPlugin) => new Map([[p.name, p]]);

  it('fails a signature naming a plugin that is not registered, at every level', async () => {
    const outcome = await run({ protectedHeader: pluginHeaders(), policy: { level: 'audit' } });
    expect(outcome).toMatchObject({ verified: false, code: 'SIGNATURE_INVALID' });
    if (!outcome.verified) expect(outcome.reason).toMatch(/com.example.plugin/);
  });
  it('hands the plugin the attributes, chain and identities, and lets it own identity and revocation', async () => {
    const p = plugin();
    const revocation = revocationAnswering({ status: 'revoked', reason: 'native' });
    const trustedIdentities = ['x509.subject:C=US,ST=WA,O=Nobody'];
    const outcome = await run({
      protectedHeader: pluginHeaders(),
      plugins: plugins(p),
      revocation,
      policy: { trustedIdentities },
    });
    expect(outcome).toMatchObject({ verified: true, signer: { plugin: PLUGIN } });
    expect(revocation.calls).toBe(0);
    expect(p.inputs[0]!.extendedAttributes.get('com.example.profile')).toEqual({ value: 'p1', critical: true });
    expect(p.inputs[0]!.trustedIdentities).toEqual(trustedIdentities);
    expect(p.inputs[0]!.chain).toHaveLength(3);
  });
  it('maps the plugin outcomes to codes and levels', async () => {
    const identity = plugin({ identity: { ok: false, code: 'IDENTITY_UNTRUSTED', reason: 'profile does not match' } });
    expect(await run({ protectedHeader: pluginHeaders(), plugins: plugins(identity) })).toMatchObject({
      code: 'IDENTITY_UNTRUSTED',
    });
    const revoked = plugin({ revocation: { ok: false, code: 'REVOKED', reason: 'profile revoked' } });
    expect(await run({ protectedHeader: pluginHeaders(), plugins: plugins(revoked) })).toMatchObject({
      code: 'REVOKED',
    });
    expect(
      await run({ protectedHeader: pluginHeaders(), plugins: plugins(revoked), policy: { level: 'permissive' } }),
    ).toMatchObject({ verified: true, warnings: [{ code: 'REVOKED' }] });
  });
  it('fails a critical attribute the plugin did not process', async () => {
    const p = plugin({ processedAttributes: [] });
    expect(await run({ protectedHeader: pluginHeaders(), plugins: plugins(p) })).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });
  it('checks verificationPluginMinVersion as SemVer', async () => {
    const p = plugin({}, '1.2.0');
    const min = (v: string) => pluginHeaders({ 'io.cncf.notary.verificationPluginMinVersion': v });
    expect(await run({ protectedHeader: min('1.2.0'), plugins: plugins(p) })).toMatchObject({ verified: true });
    expect(await run({ protectedHeader: min('1.10.0'), plugins: plugins(p) })).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    expect(await run({ protectedHeader: min('1.2.0-rc.1'), plugins: plugins(p) })).toMatchObject({ verified: true });
    expect(await run({ protectedHeader: min('1.2'), plugins: plugins(p) })).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });
  it('requires the plugin attribute to be critical', async () => {
    const p = plugin();
    const notCritical = pluginHeaders({ crit: ['io.cncf.notary.signingScheme', 'com.example.profile'] });
    expect(await run({ protectedHeader: notCritical, plugins: plugins(p) })).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });
});

describe('levels', () => {
  it('refuses to run a skip statement (skip is decided before any registry call)', async () => {
    await expect(run({ policy: { level: 'skip' } })).rejects.toThrow(/skip/);
  });
  it('audit still enforces integrity', async () => {
    const outcome = await run({ policy: { level: 'audit' }, protectedHeader: { cty: 'text/plain' } });
    expect(outcome).toMatchObject({ verified: false, code: 'SIGNATURE_INVALID' });
  });
  it('collects every logged failure as a warning', async () => {
    const other = await buildChain({ slot: 3 });
    const outcome = await run({
      stores: storesOf({ 'ca:test': [other.root] }),
      protectedHeader: withExpiry(new Date(DATES.now.getTime() - day)),
      revocation: revocationAnswering({ status: 'unavailable', reason: 'offline' }),
      policy: { level: 'audit' },
    });
    expect(outcome.verified && outcome.warnings.map((w) => w.code)).toEqual([
      'CERTIFICATE_UNTRUSTED',
      'SIGNATURE_EXPIRED',
      'REVOCATION_UNAVAILABLE',
    ]);
  });
});
