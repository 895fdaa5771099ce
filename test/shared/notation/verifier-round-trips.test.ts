/**
 * The registry requests the Notation verifier makes, against the in-process registry that speaks the referrers API:
 * a cold digest reference asks for the descriptor and the referrers at once (one round trip, not two), its cached
 * verdict asks nothing, and a registry that answers another digest is still denied.
 */
import { MemoryStore } from '../../../shared/cache/memory-store';
import { TieredTrustCache } from '../../../shared/cache/trust-cache';
import { parseReference } from '../../../shared/image/reference';
import { buildNotationSettings, type NotationSettings } from '../../../shared/notation/settings';
import { NotationVerifier } from '../../../shared/notation/verifier';
import type { Rule } from '../../../shared/policy/types';
import { OciRegistryClient } from '../../../shared/registry/client';
import {
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  NodeHttpTransport,
} from '../../../shared/registry/http';
import { RESOLUTION_FRESH_TTL_MS } from '../../../shared/registry/resolution-cache';
import { type FakeRegistry, startFakeRegistry } from '../../harness/fake-registry';
import { buildChain, DATES, jwsEnvelope, payloadOf } from '../../harness/notation-kit';

/** Records each request with the requests still unanswered when it left. */
class OverlapTransport implements HttpTransport {
  readonly sent: Array<{ what: string; pendingAtSend: string[] }> = [];
  readonly #pending = new Set<string>();
  constructor(private readonly inner: HttpTransport) {}
  async request(request: HttpRequest): Promise<HttpResponse> {
    const kind = /\/(manifests|blobs|referrers)\//.exec(request.url)?.[1] ?? 'token';
    const what = `${request.method ?? 'GET'} ${kind}`;
    this.sent.push({ what, pendingAtSend: [...this.#pending] });
    this.#pending.add(what);
    try {
      return await this.inner.request(request);
    } finally {
      this.#pending.delete(what);
    }
  }
}

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;
const transport = new NodeHttpTransport();
afterAll(() => transport.close());

describe('the Notation verifier’s registry round trips', () => {
  let registry: FakeRegistry;
  let settings: NotationSettings;
  let digest: string;
  const rule = () => ({ match: ['**'], action: 'verify', requireDigest: true, notation: settings }) as unknown as Rule;
  const ctx = () => ({ nowMs: DATES.now.getTime(), signal: AbortSignal.timeout(10_000) });
  const verifierOn = (http: HttpTransport, clock = () => Date.now()) =>
    new NotationVerifier({
      cache: new TieredTrustCache({ store: new MemoryStore() }),
      registry: new OciRegistryClient({
        http,
        clock,
        store: new MemoryStore(),
        registries: {
          [registry.host]: { ca: undefined, plainHttp: true, endpoint: undefined, auth: undefined },
        },
      }),
      revocation: { check: async () => ({ status: 'ok' }) },
    });

  beforeAll(async () => {
    registry = await startFakeRegistry();
    const chain = await buildChain();
    const config = registry.putBlob('team/app', Buffer.from('{}'));
    const image = registry.putManifest(
      'team/app',
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' },
        layers: [],
      },
      { tag: 'v1' },
    );
    digest = image.digest;
    const envelope = registry.putBlob(
      'team/app',
      jwsEnvelope({ chain, payload: payloadOf(image) }),
      'application/jose+json',
    );
    const empty = registry.putBlob('team/app', Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
    registry.putManifest('team/app', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.cncf.notary.signature',
      config: empty,
      layers: [envelope],
      subject: image,
    });
    settings = buildNotationSettings(
      {
        version: '1.0',
        trustPolicies: [
          {
            name: 'team',
            registryScopes: ['*'],
            signatureVerification: { level: 'strict' },
            trustStores: ['ca:acme'],
            trustedIdentities: ['*'],
          },
        ],
      },
      [{ type: 'ca', name: 'acme', fileName: 'acme.pem', bytes: Buffer.from(pem(chain.ders[2]!)) }],
    );
  });
  afterAll(() => registry.close());

  it('sends the referrers listing of a cold digest reference while its HEAD is still unanswered', async () => {
    const http = new OverlapTransport(transport);
    const verdict = await verifierOn(http).verify(parseReference(`${registry.host}/team/app@${digest}`), rule(), ctx());
    expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', source: 'origin' });
    // The descriptor and the listing are one wave: whichever goes out first is still unanswered when the other is
    // sent (their order depends on which single flight starts first, not on the verifier).
    const [first, second, ...rest] = http.sent;
    expect([first!.what, second!.what].sort()).toEqual(['GET referrers', 'HEAD manifests']);
    expect(second!.pendingAtSend).toEqual([first!.what]);
    expect(rest.map((r) => r.what)).toEqual(['GET manifests', 'GET blobs']);
  });

  it('answers a digest verified before from the cache without any registry request, past the resolutions’ TTL', async () => {
    const http = new OverlapTransport(transport);
    let wallMs = Date.now();
    const verifier = verifierOn(http, () => wallMs);
    const ref = parseReference(`${registry.host}/team/app@${digest}`);
    await verifier.verify(ref, rule(), ctx());
    const before = http.sent.length;
    wallMs += RESOLUTION_FRESH_TTL_MS + 1_000; // a resolution would be asked again; the verdict is still fresh
    expect(await verifier.verify(ref, rule(), ctx())).toMatchObject({ allowed: true, source: 'memory' });
    expect(http.sent.length).toBe(before);
  });

  it('still resolves a tag before it looks for signatures (the tag names no digest yet)', async () => {
    const http = new OverlapTransport(transport);
    const verdict = await verifierOn(http).resolveSignedDigest(
      parseReference(`${registry.host}/team/app:v1`),
      rule(),
      ctx(),
    );
    expect(verdict).toMatchObject({ digest });
    expect(http.sent[1]).toEqual({ what: 'GET referrers', pendingAtSend: [] });
  });

  it('denies when the registry answers the HEAD of the digest with another digest, though the referrers were listed', async () => {
    const other = `sha256:${'0'.repeat(64)}`;
    const lying: HttpTransport = {
      async request(request) {
        const response = await transport.request(request);
        if (request.method !== 'HEAD') return response;
        return { ...response, headers: { ...response.headers, 'docker-content-digest': other } };
      },
    };
    const verdict = await verifierOn(lying).verify(
      parseReference(`${registry.host}/team/app@${digest}`),
      rule(),
      ctx(),
    );
    expect(verdict).toMatchObject({ allowed: false, code: 'REGISTRY_ERROR' });
    expect(verdict.reason).toContain(`answered for digest ${other} instead`);
  });
});
