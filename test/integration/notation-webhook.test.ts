/**
 * Notation end to end through the webhook as the Lambda runs it (the middy chain on runtimeFromEnv, the registered
 * FORMAT_MODULES): a real docker-registry holding an image signed the way `notation sign` does on a registry without
 * the referrers API (signature manifest plus the `sha256-<hex>` referrers tag), a second image nobody signed, and a
 * policy whose `notation:` section names a trust policy and a trust store folder. A rule with `notary:` and
 * `notation:` under `require: any` admits the image signed only in Notation (its Notary is unreachable) and the
 * decision log says which format admitted it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../shared/clock';
import { webhookUnderTest } from '../faults/support/webhook';
import { describeWithRegistry } from '../harness/availability';
import { buildChain, DATES, jwsEnvelope, payloadOf } from '../harness/notation-kit';
import { pushSignature, writeNotationTrustFiles } from '../harness/notation-registry';
import { type BuiltImage, writeSignedAndUnsignedLayouts } from '../harness/oci-layout';
import { type RegistryHarness, startRegistry } from '../harness/registry-harness';

describeWithRegistry('Notation through the webhook handler, against docker-registry', () => {
  let registry: RegistryHarness;
  let dir: string;
  let signed: BuiltImage;
  let unsigned: BuiltImage;
  let policy: object;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-notation-webhook-'));
    ({ signed, unsigned } = await writeSignedAndUnsignedLayouts(dir));
    for (const repo of ['team/app', 'mixed/app']) {
      await registry.push(path.join(dir, 'signed'), 'v1', `${repo}:v1`);
      await registry.push(path.join(dir, 'unsigned'), 'v1', `${repo}:unsigned`);
    }
    const chain = await buildChain();
    for (const repo of ['team/app', 'mixed/app']) {
      await pushSignature(registry, repo, signed.top, jwsEnvelope({ chain, payload: payloadOf(signed.top) }));
    }
    await writeNotationTrustFiles(dir, chain.ders[2]!);
    await writeFile(path.join(dir, 'registry-ca.pem'), registry.caPem);
    const notation = { trustPolicy: './trustpolicy.json', trustStore: './truststore' };
    policy = {
      mode: 'enforce',
      defaultAction: 'deny',
      registries: {
        [registry.host]: { caFile: './registry-ca.pem', auth: { usernameEnv: 'REG_USER', passwordEnv: 'REG_PASS' } },
      },
      rules: [
        { match: [`${registry.host}/team/**`], notation },
        // Nothing listens on port 1: the Notary v1 half of the rule fails, the Notation half decides.
        { match: [`${registry.host}/mixed/**`], require: 'any', notary: { server: 'https://127.0.0.1:1' }, notation },
      ],
    };
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const gate = () =>
    webhookUnderTest({
      policy,
      baseDir: dir,
      clock: fixedClock(DATES.now.getTime()),
      env: { REG_USER: registry.credentials.username, REG_PASS: registry.credentials.password },
    });
  const images = (answer: Awaited<ReturnType<ReturnType<typeof gate>['admit']>>) =>
    (answer.decisions[0]?.images ?? []) as Record<string, unknown>[];

  it('admits a Pod whose image is Notation-signed: SIGNED, format notation, the signature logged', async () => {
    const answer = await gate().admit([`${registry.host}/team/app@${signed.top.digest}`]);
    expect(answer.response.allowed).toBe(true);
    expect(images(answer)).toEqual([
      expect.objectContaining({
        allowed: true,
        code: 'SIGNED',
        format: 'notation',
        signature: expect.objectContaining({ signer: expect.stringContaining('CN=signer') }),
      }),
    ]);
  }, 60_000);

  it('denies a Pod whose image nobody signed with NOT_SIGNED', async () => {
    const answer = await gate().admit([`${registry.host}/team/app@${unsigned.top.digest}`]);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain('NOT_SIGNED');
    expect(images(answer)).toEqual([
      expect.objectContaining({ allowed: false, code: 'NOT_SIGNED', format: 'notation' }),
    ]);
  }, 60_000);

  it('under require: any with notary: and notation:, admits an image signed only in Notation and logs which format admitted', async () => {
    const answer = await gate().admit([`${registry.host}/mixed/app@${signed.top.digest}`]);
    expect(answer.response.allowed).toBe(true);
    const [logged] = images(answer);
    expect(logged).toMatchObject({ allowed: true, code: 'SIGNED', format: 'notation' });
    expect(logged?.formats).toEqual([
      expect.objectContaining({ format: 'notary-v1', allowed: false }),
      expect.objectContaining({ format: 'notation', allowed: true, code: 'SIGNED' }),
    ]);
  }, 60_000);

  it('under require: any, still denies the unsigned image, with each format’s reason', async () => {
    const answer = await gate().admit([`${registry.host}/mixed/app@${unsigned.top.digest}`]);
    expect(answer.response.allowed).toBe(false);
    expect(images(answer)[0]?.formats).toEqual([
      expect.objectContaining({ format: 'notary-v1', allowed: false }),
      expect.objectContaining({ format: 'notation', allowed: false, code: 'NOT_SIGNED' }),
    ]);
  }, 60_000);
});
