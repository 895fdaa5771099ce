/**
 * The Notation verifier end to end against the real docker-registry (which has no referrers API, so signatures are
 * found through the `sha256-<hex>` referrers tag, as notation pushes them there): digest and tag references,
 * first valid signature wins, untrusted signers, unsigned images, and the verdict cache.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../../shared/cache/memory-store';
import { TieredTrustCache } from '../../../shared/cache/trust-cache';
import { parseReference } from '../../../shared/image/reference';
import { buildNotationSettings, type NotationSettings } from '../../../shared/notation/settings';
import { NotationVerifier } from '../../../shared/notation/verifier';
import type { Rule } from '../../../shared/policy/types';
import { OciRegistryClient } from '../../../shared/registry/client';
import { NodeHttpTransport } from '../../../shared/registry/http';
import { describeWithRegistry } from '../../harness/availability';
import { buildChain, DATES, jwsEnvelope, payloadOf, type TestChain } from '../../harness/notation-kit';
import { pushSignature } from '../../harness/notation-registry';
import { type BuiltImage, writeImageLayout } from '../../harness/oci-layout';
import { type RegistryHarness, startRegistry } from '../../harness/registry-harness';

const transport = new NodeHttpTransport();
afterAll(() => transport.close());

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;

describeWithRegistry('Notation verification against docker-registry', () => {
  let registry: RegistryHarness;
  let layouts: string;
  let signed: BuiltImage;
  let unsigned: BuiltImage;
  let chain: TestChain;
  let stranger: TestChain;
  let settings: NotationSettings;

  const rule = (over: Partial<Record<string, unknown>> = {}) =>
    ({
      match: ['**'],
      action: 'verify',
      requireDigest: true,
      mode: undefined,
      notary: undefined,
      notation: settings,
      ...over,
    }) as unknown as Rule;
  const ctx = () => ({ nowMs: DATES.now.getTime(), signal: new AbortController().signal });
  const verifier = () =>
    new NotationVerifier({
      cache: new TieredTrustCache({ store: new MemoryStore() }),
      registry: new OciRegistryClient({
        http: transport,
        store: new MemoryStore(),
        registries: {
          [registry.host]: { ca: registry.caPem, plainHttp: false, endpoint: undefined, auth: registry.credentials },
        },
      }),
      revocation: { check: async () => ({ status: 'ok' }) },
    });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    layouts = await mkdtemp(path.join(tmpdir(), 'notary-gate-notation-'));
    signed = await writeImageLayout(path.join(layouts, 'signed'), {
      tag: 'v1',
      platforms: [{ os: 'linux', architecture: 'amd64' }],
    });
    unsigned = await writeImageLayout(path.join(layouts, 'unsigned'), {
      tag: 'v1',
      platforms: [{ os: 'linux', architecture: 'amd64' }],
      content: 'nobody signed this',
    });
    await registry.push(path.join(layouts, 'signed'), 'v1', 'team/app:v1');
    await registry.push(path.join(layouts, 'unsigned'), 'v1', 'team/app:unsigned');
    chain = await buildChain();
    stranger = await buildChain({ slot: 9 });
    // An invalid sibling first (signed by a stranger), then the trusted signature.
    await pushSignature(
      registry,
      'team/app',
      signed.top,
      jwsEnvelope({ chain: stranger, payload: payloadOf(signed.top) }),
    );
    await pushSignature(registry, 'team/app', signed.top, jwsEnvelope({ chain, payload: payloadOf(signed.top) }));
    settings = buildNotationSettings(
      {
        version: '1.0',
        trustPolicies: [
          {
            name: 'team',
            registryScopes: [`${registry.host}/team/app`],
            signatureVerification: { level: 'strict' },
            trustStores: ['ca:acme'],
            trustedIdentities: ['x509.subject:C=US,ST=WA,O=Acme Inc.'],
          },
        ],
      },
      [{ type: 'ca', name: 'acme', fileName: 'acme.pem', bytes: Buffer.from(pem(chain.ders[2]!)) }],
    );
  }, 90_000);
  afterAll(async () => {
    await registry?.stop();
    if (layouts) await rm(layouts, { recursive: true, force: true });
  });

  it('admits a digest reference whose trusted signature is found through the referrers tag', async () => {
    const ref = parseReference(`${registry.host}/team/app@${signed.top.digest}`);
    const verdict = await verifier().verify(ref, rule(), ctx());
    expect(verdict).toMatchObject({
      allowed: true,
      code: 'SIGNED',
      format: 'notation',
      signedDigest: signed.top.digest,
      warnings: [],
    });
    expect(verdict.reason).toContain('CN=signer');
  });

  it('denies a tag-only reference with DIGEST_REQUIRED naming the signed digest, and admits it without requireDigest', async () => {
    const ref = parseReference(`${registry.host}/team/app:v1`);
    expect(await verifier().verify(ref, rule(), ctx())).toMatchObject({
      allowed: false,
      code: 'DIGEST_REQUIRED',
      signedDigest: signed.top.digest,
    });
    expect(await verifier().verify(ref, rule({ requireDigest: false }), ctx())).toMatchObject({
      allowed: true,
      code: 'SIGNED',
    });
  });

  it('denies an image without signatures with NOT_SIGNED', async () => {
    const ref = parseReference(`${registry.host}/team/app@${unsigned.top.digest}`);
    expect(await verifier().verify(ref, rule(), ctx())).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
  });

  it('denies when no statement covers the repository', async () => {
    const ref = parseReference(`${registry.host}/other/app@${signed.top.digest}`);
    expect(await verifier().verify(ref, rule(), ctx())).toMatchObject({ allowed: false, code: 'NO_TRUST_POLICY' });
  });

  it('serves the second verification of a digest from the cache without asking the registry for signatures', async () => {
    const v = verifier();
    const ref = parseReference(`${registry.host}/team/app@${signed.top.digest}`);
    const first = await v.verify(ref, rule(), ctx());
    const second = await v.verify(ref, rule(), ctx());
    expect(first.source).toBe('origin');
    expect(second).toMatchObject({ allowed: true, source: 'memory' });
  });

  it('resolves a tag to its verified digest for /mutate', async () => {
    const ref = parseReference(`${registry.host}/team/app:v1`);
    expect(await verifier().resolveSignedDigest(ref, rule(), ctx())).toMatchObject({ digest: signed.top.digest });
    const bare = parseReference(`${registry.host}/team/app:unsigned`);
    expect(await verifier().resolveSignedDigest(bare, rule(), ctx())).toMatchObject({
      digest: undefined,
      code: 'NOT_SIGNED',
    });
  });
});
