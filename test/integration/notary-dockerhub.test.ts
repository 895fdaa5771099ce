/**
 * Real Docker Hub trust data for docker.io/library/alpine, captured in 2018 (see the fixture's SOURCE.md), served
 * from a loopback server exactly as Notary serves it: it verifies at its capture instant and is refused today.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeServer, startFakeServer } from '../harness/fake-server';
import { notaryRule, verifierKit } from '../harness/verifier-kit';

const FIXTURE = path.join(__dirname, '../fixtures/notary/dockerhub-alpine');
const CAPTURED_AT = Date.parse('2018-08-01T00:00:00Z');
const ALPINE_3_8 = 'sha256:7043076348bf5040220df6ad703798fd8593a0918d06d3ce30c6c93be117e430';
const ALPINE_2_6 = 'sha256:9ace551613070689a12857d62c30ef0daa9a376107ec0fff0e34786cedb3399b';
const UNSIGNED = `sha256:${'0'.repeat(64)}`;

let server: FakeServer;
let rootCertPem: string;

beforeAll(async () => {
  const files = new Map<string, Buffer>();
  for (const role of ['root', 'timestamp', 'snapshot', 'targets']) {
    files.set(
      `/v2/docker.io/library/alpine/_trust/tuf/${role}.json`,
      await readFile(path.join(FIXTURE, `${role}.json`)),
    );
  }
  server = await startFakeServer((req, res) => {
    // Notary also serves each file under `<role>.<sha256hex>.json`; the client must accept either.
    const plain = (req.url ?? '').replace(/\.[0-9a-f]{64}\.json$/, '.json');
    const body = files.get(plain);
    if (body) res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    else res.writeHead(404).end('{"errors":[{"code":"METADATA_NOT_FOUND"}]}');
  });
  const root = JSON.parse((files.get('/v2/docker.io/library/alpine/_trust/tuf/root.json') ?? '').toString());
  const rootKeyId: string = root.signed.roles.root.keyids[0];
  rootCertPem = Buffer.from(root.signed.keys[rootKeyId].keyval.public, 'base64').toString();
});
afterAll(() => server.close());

describe('captured Docker Hub trust data (docker.io/library/alpine, 2018)', () => {
  describe('evaluated at the instant it was captured', () => {
    it('admits the digest signed for the tag', async () => {
      const kit = verifierKit();
      const verdict = await kit.verify(`alpine:3.8@${ALPINE_3_8}`, notaryRule({ server: server.url }), CAPTURED_AT);
      expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED', format: 'notary-v1', source: 'origin' });
    });

    it('admits a digest-only reference signed for some tag', async () => {
      const kit = verifierKit();
      const verdict = await kit.verify(`alpine@${ALPINE_2_6}`, notaryRule({ server: server.url }), CAPTURED_AT);
      expect(verdict).toMatchObject({ allowed: true, code: 'SIGNED' });
    });

    it('admits it with the root certificate pinned', async () => {
      const kit = verifierKit();
      const rule = notaryRule({ server: server.url, rootKeys: [rootCertPem] });
      expect(await kit.verify(`alpine@${ALPINE_3_8}`, rule, CAPTURED_AT)).toMatchObject({ allowed: true });
    });

    it('denies a digest no tag was signed with', async () => {
      const kit = verifierKit();
      const verdict = await kit.verify(`alpine@${UNSIGNED}`, notaryRule({ server: server.url }), CAPTURED_AT);
      expect(verdict.allowed).toBe(false);
      expect(verdict.code).toBe('NOT_SIGNED');
    });

    it('denies a tag paired with another tag’s digest with DIGEST_MISMATCH', async () => {
      const kit = verifierKit();
      const verdict = await kit.verify(`alpine:3.8@${ALPINE_2_6}`, notaryRule({ server: server.url }), CAPTURED_AT);
      expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_MISMATCH' });
    });

    it('names the signed digest to pin when only a tag is given', async () => {
      const kit = verifierKit();
      const verdict = await kit.verify('alpine:3.8', notaryRule({ server: server.url }), CAPTURED_AT);
      expect(verdict).toMatchObject({ allowed: false, code: 'DIGEST_REQUIRED', signedDigest: ALPINE_3_8 });
    });
  });

  describe('evaluated after the timestamp expired', () => {
    it('never serves cached verified data past its expiry, however fresh the cache thinks it is', async () => {
      const kit = verifierKit({ freshTtlMs: 365 * 24 * 3600 * 1000 });
      const rule = notaryRule({ server: server.url });
      expect(await kit.verify(`alpine@${ALPINE_3_8}`, rule, CAPTURED_AT)).toMatchObject({ allowed: true });
      const afterExpiry = Date.parse('2018-08-03T15:48:42Z');
      expect(await kit.verify(`alpine@${ALPINE_3_8}`, rule, afterExpiry)).toMatchObject({
        allowed: false,
        code: 'METADATA_EXPIRED',
      });
    });
  });

  describe('evaluated today', () => {
    it('refuses the same data as METADATA_EXPIRED', async () => {
      const kit = verifierKit();
      const verdict = await kit.verify(`alpine:3.8@${ALPINE_3_8}`, notaryRule({ server: server.url }), Date.now());
      expect(verdict).toMatchObject({ allowed: false, code: 'METADATA_EXPIRED' });
    });
  });
});
