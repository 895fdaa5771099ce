/**
 * Discovery (NOTATION.md section 8, "Discovery"): which referrers count as signature manifests, first valid wins,
 * the attempt cap, no signatures. The registry is an in-memory RegistryClient here (the OCI client itself is
 * tested against docker-registry in its own suites; the end-to-end Notation test uses the real registry too).
 */
import { createHash } from 'node:crypto';
import { TrustError } from '../../../shared/errors';
import { MAX_SIGNATURE_ATTEMPTS, signatureLayer, verifyArtifact } from '../../../shared/notation/discovery';
import type { FetchedManifest, RegistryClient, RepositoryRef } from '../../../shared/registry/client';
import type { Descriptor } from '../../../shared/registry/descriptor';
import {
  buildChain,
  DATES,
  jwsEnvelope,
  payloadOf,
  statementOf,
  storesOf,
  TARGET,
  type TestChain,
} from '../../harness/notation-kit';

const digestOf = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: `sha256:${'44'.repeat(32)}`, size: 2 };

class MemoryRegistry implements RegistryClient {
  readonly blobs = new Map<string, Uint8Array>();
  readonly referrers: Descriptor[] = [];
  fetches = 0;
  async resolve(): Promise<Descriptor> {
    return TARGET;
  }
  async fetchManifest(_repo: RepositoryRef, target: Descriptor | string): Promise<FetchedManifest> {
    this.fetches++;
    const d = target as Descriptor;
    const bytes = this.blobs.get(d.digest);
    if (!bytes) throw new TrustError('REGISTRY_ERROR', `no manifest ${d.digest}`);
    return { descriptor: d, bytes };
  }
  async fetchBlob(_repo: RepositoryRef, d: Descriptor, maxBytes: number): Promise<Uint8Array> {
    const bytes = this.blobs.get(d.digest);
    if (!bytes || bytes.length > maxBytes) throw new TrustError('REGISTRY_ERROR', `no blob ${d.digest}`);
    return bytes;
  }
  async listReferrers() {
    return { referrers: this.referrers, source: 'api' as const };
  }
  /** Stores a signature manifest around an envelope and lists it as a referrer. */
  addSignature(envelope: Uint8Array, manifest: Record<string, unknown> = {}, layerType = 'application/jose+json') {
    const layer = { mediaType: layerType, digest: digestOf(envelope), size: envelope.length };
    this.blobs.set(layer.digest, envelope);
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        artifactType: 'application/vnd.cncf.notary.signature',
        config: EMPTY,
        layers: [layer],
        subject: TARGET,
        ...manifest,
      }),
    );
    const descriptor = {
      mediaType: MANIFEST,
      digest: digestOf(body),
      size: body.length,
      artifactType: 'application/vnd.cncf.notary.signature',
    };
    this.blobs.set(descriptor.digest, body);
    this.referrers.push(descriptor);
    return descriptor.digest;
  }
}

let chain: TestChain;
beforeAll(async () => {
  chain = await buildChain();
});

function verify(registry: MemoryRegistry, maxAttempts?: number) {
  return verifyArtifact({
    client: registry,
    repo: { host: 'registry.example.com', repository: 'app' },
    descriptor: TARGET,
    statement: statementOf(),
    stores: storesOf({ 'ca:test': [chain.root] }),
    nowMs: DATES.now.getTime(),
    signal: new AbortController().signal,
    revocation: { check: async () => ({ status: 'ok' }) },
    maxAttempts,
  });
}

describe('verifyArtifact', () => {
  it('answers NOT_SIGNED when no signature refers to the digest', async () => {
    expect(await verify(new MemoryRegistry())).toMatchObject({ verified: false, code: 'NOT_SIGNED', attempts: 0 });
  });
  it('lets the first valid signature win over an invalid sibling listed before it', async () => {
    const registry = new MemoryRegistry();
    registry.addSignature(jwsEnvelope({ chain, payload: payloadOf({ ...TARGET, size: 1 }) }));
    const good = registry.addSignature(jwsEnvelope({ chain }));
    registry.addSignature(jwsEnvelope({ chain }));
    expect(await verify(registry)).toMatchObject({ verified: true, signature: good, attempts: 2 });
  });
  it('reports the failure that got furthest when none verifies', async () => {
    const other = await buildChain({ slot: 2 });
    const registry = new MemoryRegistry();
    registry.addSignature(Buffer.from('{}'));
    registry.addSignature(jwsEnvelope({ chain: other }));
    const outcome = await verify(registry);
    expect(outcome).toMatchObject({ verified: false, code: 'CERTIFICATE_UNTRUSTED', attempts: 2 });
    if (!outcome.verified) expect(outcome.reason).toMatch(/2 signatures tried/);
  });
  it(`tries at most ${MAX_SIGNATURE_ATTEMPTS} signatures: the one at the bound verifies, one past it is not tried`, async () => {
    const atBound = new MemoryRegistry();
    for (let i = 0; i < MAX_SIGNATURE_ATTEMPTS - 1; i++) atBound.addSignature(Buffer.from(`{"n":${i}}`));
    atBound.addSignature(jwsEnvelope({ chain }));
    expect(await verify(atBound)).toMatchObject({ verified: true, attempts: MAX_SIGNATURE_ATTEMPTS });
    const past = new MemoryRegistry();
    for (let i = 0; i < MAX_SIGNATURE_ATTEMPTS; i++) past.addSignature(Buffer.from(`{"n":${i}}`));
    past.addSignature(jwsEnvelope({ chain }));
    const outcome = await verify(past);
    expect(outcome).toMatchObject({ verified: false, code: 'SIGNATURE_INVALID', attempts: MAX_SIGNATURE_ATTEMPTS });
    expect(past.fetches).toBe(MAX_SIGNATURE_ATTEMPTS);
    if (!outcome.verified) expect(outcome.reason).toMatch(/1 more not tried/);
  });
  it('counts a signature whose manifest cannot be fetched as a failed attempt', async () => {
    const registry = new MemoryRegistry();
    registry.referrers.push({ mediaType: MANIFEST, digest: `sha256:${'01'.repeat(32)}`, size: 10 });
    registry.addSignature(jwsEnvelope({ chain }));
    expect(await verify(registry)).toMatchObject({ verified: true, attempts: 2 });
  });
});

describe('signatureLayer', () => {
  const referrer = { mediaType: MANIFEST, digest: `sha256:${'02'.repeat(32)}`, size: 1 };
  const layer = { mediaType: 'application/jose+json', digest: `sha256:${'03'.repeat(32)}`, size: 100 };
  const manifest = (m: Record<string, unknown>) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        artifactType: 'application/vnd.cncf.notary.signature',
        config: EMPTY,
        layers: [layer],
        ...m,
      }),
    );
  it('accepts the current shape and the legacy config.mediaType shape', () => {
    expect(signatureLayer(referrer, manifest({}))).toEqual(layer);
    const legacy = manifest({
      artifactType: undefined,
      config: { ...EMPTY, mediaType: 'application/vnd.cncf.notary.signature' },
    });
    expect(signatureLayer(referrer, legacy)).toEqual(layer);
  });
  it('accepts the OCI 1.1-rc artifact manifest with blobs[]', () => {
    const artifact = { mediaType: 'application/vnd.oci.artifact.manifest.v1+json', digest: referrer.digest, size: 1 };
    const bytes = Buffer.from(
      JSON.stringify({
        mediaType: artifact.mediaType,
        artifactType: 'application/vnd.cncf.notary.signature',
        blobs: [layer],
      }),
    );
    expect(signatureLayer(artifact, bytes)).toEqual(layer);
  });
  it.each([
    [
      'a notary artifactType whose config is not the empty type',
      { config: { ...EMPTY, mediaType: 'application/json' } },
      /not a Notation signature/,
    ],
    ['no layer', { layers: [] }, /exactly one layer/],
    ['two layers', { layers: [layer, layer] }, /exactly one layer/],
    [
      'another artifactType',
      { artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' },
      /not a Notation signature/,
    ],
    ['an envelope over the cap', { layers: [{ ...layer, size: 4 * 1024 * 1024 + 1 }] }, /more than/],
  ])('ignores %s', (_name, change, reason) => {
    expect(signatureLayer(referrer, manifest(change))).toMatch(reason);
  });
  it('accepts an envelope exactly at the cap', () => {
    expect(signatureLayer(referrer, manifest({ layers: [{ ...layer, size: 4 * 1024 * 1024 }] }))).toMatchObject({
      size: 4 * 1024 * 1024,
    });
  });
});
