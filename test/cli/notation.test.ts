/**
 * The real CLI with a Notation policy against the real docker-registry (distribution 2.8, htpasswd, TLS) filled by
 * skopeo: `check` admits the signed image by digest and by tag, denies the unsigned one; `inspect` lists each
 * signature with its own verdict under the policy (one from the trusted CA, one from a CA the trust store lacks).
 * Signatures are pushed the way `notation sign` does on a registry without the referrers API (the tag schema).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithRegistry } from '../harness/availability';
import { buildChain, DATES, jwsEnvelope, payloadOf } from '../harness/notation-kit';
import { pushSignature, writeNotationTrustFiles } from '../harness/notation-registry';
import { type BuiltImage, writeSignedAndUnsignedLayouts } from '../harness/oci-layout';
import { type RegistryHarness, startRegistry } from '../harness/registry-harness';
import { runCli } from '../harness/run-cli';

const AT = DATES.now.toISOString();

const cli = runCli;

describeWithRegistry('notary-gate check and inspect with a Notation policy, against docker-registry', () => {
  let registry: RegistryHarness;
  let dir: string;
  let signed: BuiltImage;
  let unsigned: BuiltImage;
  let policy: string;
  let goodSignature: string;
  let untrustedSignature: string;
  const env = () => ({ REG_USER: registry.credentials.username, REG_PASS: registry.credentials.password });
  const repo = () => `${registry.host}/team/app`;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-cli-notation-'));
    ({ signed, unsigned } = await writeSignedAndUnsignedLayouts(dir));
    await registry.push(path.join(dir, 'signed'), 'v1', 'team/app:v1');
    await registry.push(path.join(dir, 'unsigned'), 'v1', 'team/app:unsigned');
    const trusted = await buildChain();
    const stranger = await buildChain({ slot: 7 });
    untrustedSignature = await pushSignature(
      registry,
      'team/app',
      signed.top,
      jwsEnvelope({ chain: stranger, payload: payloadOf(signed.top) }),
    );
    goodSignature = await pushSignature(
      registry,
      'team/app',
      signed.top,
      jwsEnvelope({ chain: trusted, payload: payloadOf(signed.top) }),
    );
    await writeNotationTrustFiles(dir, trusted.ders[2]!);
    await writeFile(path.join(dir, 'registry-ca.pem'), registry.caPem);
    policy = path.join(dir, 'policy.yaml');
    await writeFile(
      policy,
      [
        'defaultAction: deny',
        'registries:',
        `  "${registry.host}":`,
        '    caFile: ./registry-ca.pem',
        '    auth: { usernameEnv: REG_USER, passwordEnv: REG_PASS }',
        'rules:',
        `  - match: ["${registry.host}/team/**"]`,
        '    requireDigest: false',
        '    notation: { trustPolicy: ./trustpolicy.json, trustStore: ./truststore }',
        '',
      ].join('\n'),
    );
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('check --json admits the signed image by digest and by tag, denies the unsigned one, exit 1', async () => {
    const images = [`${repo()}@${signed.top.digest}`, `${repo()}:v1`, `${repo()}:unsigned`];
    const { code, stdout, stderr } = await cli(['check', '--policy', policy, '--at', AT, '--json', ...images], env());
    expect(stderr).not.toMatch(/Error/);
    const out = JSON.parse(stdout);
    expect(out.images).toEqual([
      expect.objectContaining({ allowed: true, code: 'SIGNED', format: 'notation', signedDigest: signed.top.digest }),
      expect.objectContaining({ allowed: true, code: 'SIGNED', format: 'notation', signedDigest: signed.top.digest }),
      expect.objectContaining({ allowed: false, code: 'NOT_SIGNED', format: 'notation' }),
    ]);
    expect(out.allowed).toBe(false);
    expect(code).toBe(1);
  }, 60_000);

  it('check exits 0 when every image is signed', async () => {
    const { code, stdout } = await cli(['check', '--policy', policy, '--at', AT, `${repo()}:v1`], env());
    expect(stdout).toMatch(/^allow {2}/);
    expect(code).toBe(0);
  }, 60_000);

  it('inspect --json gives each Notation signature its own verdict under the policy', async () => {
    const { code, stdout } = await cli(['inspect', '--policy', policy, '--at', AT, '--json', `${repo()}:v1`], env());
    const report = JSON.parse(stdout);
    expect(report.descriptor.digest).toBe(await registry.skopeoDigest('team/app:v1'));
    expect(report.signatures.notation).toMatchObject({ source: 'tag', trustPolicy: 'team' });
    expect(report.signatures.notation.manifests.map((m: { digest: string }) => m.digest)).toEqual([
      untrustedSignature,
      goodSignature,
    ]);
    expect(report.signatures.notation.verdicts).toEqual([
      expect.objectContaining({ signature: untrustedSignature, allowed: false, code: 'CERTIFICATE_UNTRUSTED' }),
      expect.objectContaining({
        signature: goodSignature,
        allowed: true,
        code: 'SIGNED',
        signer: expect.stringContaining('CN=signer'),
      }),
    ]);
    expect(report.verdict).toMatchObject({ allowed: true, code: 'SIGNED', format: 'notation' });
    expect(code).toBe(0);
  }, 60_000);

  it('inspect prints each signature with its verdict for people', async () => {
    const { stdout } = await cli(['inspect', '--policy', policy, '--at', AT, `${repo()}:v1`], env());
    expect(stdout).toContain(`            ${untrustedSignature}\n              fails CERTIFICATE_UNTRUSTED`);
    expect(stdout).toContain(`            ${goodSignature}\n              verifies SIGNED (signer `);
    expect(stdout).toMatch(/verdict {5}allow SIGNED/);
  }, 60_000);

  it('inspect of the unsigned image: no signatures, denied NOT_SIGNED, exit 1', async () => {
    const { code, stdout } = await cli(
      ['inspect', '--policy', policy, '--at', AT, '--json', `${repo()}:unsigned`],
      env(),
    );
    const report = JSON.parse(stdout);
    expect(report.signatures.notation).toMatchObject({ manifests: [], verdicts: [] });
    expect(report.verdict).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
    expect(code).toBe(1);
    expect(unsigned.top.digest).toBe(report.descriptor.digest);
  }, 60_000);
});
