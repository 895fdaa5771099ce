import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { NodeRevocationFetcher, type RevocationFetcher } from '../../../../shared/notation/revocation/fetcher';
import {
  MAX_CRL_URLS_PER_CERTIFICATE,
  OcspCrlRevocationChecker,
} from '../../../../shared/notation/revocation/revocation-checker';
import type { RevocationStatus } from '../../../../shared/notation/types';
import { describeWithOpenssl } from '../../../harness/availability';
import { startFakeServer } from '../../../harness/fake-server';
import { OpensslCa, type RevocationServer, startRevocationServer } from '../../../harness/openssl-ca';
import { freePort } from '../../../harness/processes';
import {
  caExtensions,
  type IssuedCertificate,
  issueCertificate,
  leafExtensions,
  OID,
  validity,
} from '../../../harness/x509-kit';

const HOUR_MS = 3_600_000;

describeWithOpenssl('OCSP and CRL revocation checker', () => {
  // openssl stamps OCSP answers and CRLs with the real time; the checks then run at injected instants around it.
  const now = Date.now();
  let dir: string;
  let root: IssuedCertificate;
  let issuing: IssuedCertificate;
  let ca: OpensslCa;
  let server: RevocationServer;
  let ocspUrl: string;
  let crlUrl: string;
  let downUrl: string;

  const leaf = (name: string, locations: { ocsp?: string[]; crl?: string[] }) =>
    issueCertificate({
      subject: `CN=${name}`,
      issuer: issuing,
      ...validity(now, 1, 30),
      extensions: leafExtensions(locations),
    });
  const chainOf = (certificate: IssuedCertificate) => [certificate.node, issuing.node, root.node];
  const context = (nowMs = now, signal: AbortSignal = new AbortController().signal) => ({ nowMs, signal });
  const ocspRequests = () => server.requests.filter((request) => request.path.startsWith('/ocsp')).length;
  const crlRequests = () => server.requests.filter((request) => request.path.startsWith('/crl')).length;

  let good: IssuedCertificate;
  let revoked: IssuedCertificate;
  let unknownOcspOnly: IssuedCertificate;
  let unknownWithCrl: IssuedCertificate;
  let crlOnlyGood: IssuedCertificate;
  let crlOnlyRevoked: IssuedCertificate;
  let noLocations: IssuedCertificate;
  let downOcspOnly: IssuedCertificate;
  let downWithCrl: IssuedCertificate;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'notation-revocation-'));
    root = await issueCertificate({
      subject: 'CN=Revocation Test Root',
      ...validity(now, 30, 3650),
      extensions: caExtensions(),
    });
    issuing = await issueCertificate({
      subject: 'CN=Revocation Test CA',
      issuer: root,
      ...validity(now, 30, 3000),
      extensions: caExtensions(0),
    });
    ca = await OpensslCa.create(path.join(dir, 'ca'), issuing);
    server = await startRevocationServer(ca);
    ocspUrl = `${server.url}/ocsp`;
    crlUrl = `${server.url}/crl/issuing.crl`;
    downUrl = `http://127.0.0.1:${await freePort()}/ocsp`;

    good = await leaf('good', { ocsp: [ocspUrl], crl: [crlUrl] });
    revoked = await leaf('revoked', { ocsp: [ocspUrl], crl: [crlUrl] });
    unknownOcspOnly = await leaf('unknown', { ocsp: [ocspUrl] });
    unknownWithCrl = await leaf('unknown with crl', { ocsp: [ocspUrl], crl: [crlUrl] });
    crlOnlyGood = await leaf('crl good', { crl: [crlUrl] });
    crlOnlyRevoked = await leaf('crl revoked', { crl: [crlUrl] });
    noLocations = await leaf('no locations', {});
    downOcspOnly = await leaf('responder down', { ocsp: [downUrl] });
    downWithCrl = await leaf('responder down with crl', { ocsp: [downUrl], crl: [crlUrl] });

    await ca.markValid(good);
    await ca.revoke(revoked, 'keyCompromise');
    await ca.revoke(crlOnlyRevoked, 'superseded');
    server.publishCrl('issuing.crl', await ca.crl(24));
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    server.ocspMode = 'openssl';
  });

  async function check(certificate: IssuedCertificate, nowMs = now): Promise<RevocationStatus> {
    return new OcspCrlRevocationChecker().check(chainOf(certificate), context(nowMs));
  }

  describe('OCSP', () => {
    it('is ok when the responder says good, without fetching the CRL', async () => {
      const [ocspBefore, crlBefore] = [ocspRequests(), crlRequests()];
      await expect(check(good)).resolves.toEqual({ status: 'ok' });
      expect(ocspRequests() - ocspBefore).toBe(1);
      expect(crlRequests() - crlBefore).toBe(0);
    });

    it('is revoked when the responder says revoked, with the reason', async () => {
      const status = await check(revoked);
      expect(status.status).toBe('revoked');
      expect(status).toMatchObject({
        reason: expect.stringMatching(/"CN=revoked".*is revoked \(keyCompromise, since .*\(OCSP http/),
      });
    });

    it('is unavailable when the responder does not know the certificate and there is no CRL', async () => {
      const status = await check(unknownOcspOnly);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/status unknown/) });
    });

    it('falls back to the CRL when the responder says unknown', async () => {
      const crlBefore = crlRequests();
      await expect(check(unknownWithCrl)).resolves.toEqual({ status: 'ok' });
      expect(crlRequests() - crlBefore).toBe(1);
    });

    it('is unavailable when the responder is down and there is no CRL', async () => {
      const status = await check(downOcspOnly);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/could not be reached/) });
    });

    it('falls back to the CRL when the responder is down', async () => {
      await expect(check(downWithCrl)).resolves.toEqual({ status: 'ok' });
    });

    it('is unavailable when the responder answers HTTP 500', async () => {
      server.ocspMode = 'error';
      const status = await check(unknownOcspOnly);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/HTTP 500/) });
    });

    it('refuses an answer without nextUpdate', async () => {
      server.ocspMode = 'no-next-update';
      const status = await check(unknownOcspOnly);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/no nextUpdate/) });
    });

    it('refuses an answer whose nextUpdate has passed at the evaluation instant', async () => {
      const status = await check(unknownOcspOnly, now + 25 * HOUR_MS);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/OCSP answer expired/) });
    });

    it('accepts a delegated responder the CA issued for OCSP signing', async () => {
      server.ocspMode = {
        responder: await issueCertificate({
          subject: 'CN=Delegated OCSP responder',
          issuer: issuing,
          ...validity(now, 1, 30),
          extensions: [new x509.ExtendedKeyUsageExtension([OID.ocspSigning], false)],
        }),
      };
      await expect(check(good)).resolves.toEqual({ status: 'ok' });
    });

    it('refuses a responder certificate without id-kp-OCSPSigning', async () => {
      server.ocspMode = {
        responder: await issueCertificate({
          subject: 'CN=Not an OCSP responder',
          issuer: issuing,
          ...validity(now, 1, 30),
          extensions: [new x509.ExtendedKeyUsageExtension([OID.codeSigning], false)],
        }),
      };
      const status = await check(unknownOcspOnly);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/lacks id-kp-OCSPSigning/) });
    });

    it('refuses a responder the CA did not issue', async () => {
      server.ocspMode = {
        responder: await issueCertificate({
          subject: 'CN=Stranger',
          issuer: root,
          ...validity(now, 1, 30),
          extensions: [new x509.ExtendedKeyUsageExtension([OID.ocspSigning], false)],
        }),
      };
      const status = await check(unknownOcspOnly);
      expect(status).toMatchObject({
        status: 'unavailable',
        reason: expect.stringMatching(/not issued by the certificate issuer/),
      });
    });

    it('gives up when the admission deadline passes while the responder hangs', async () => {
      server.ocspMode = 'hang';
      const status = await new OcspCrlRevocationChecker().check(
        chainOf(unknownOcspOnly),
        context(now, AbortSignal.timeout(100)),
      );
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/deadline passed/) });
    });
  });

  describe('CRL', () => {
    it('is ok when the certificate is not listed', async () => {
      await expect(check(crlOnlyGood)).resolves.toEqual({ status: 'ok' });
    });

    it('is revoked when the certificate is listed', async () => {
      const status = await check(crlOnlyRevoked);
      expect(status).toMatchObject({
        status: 'revoked',
        reason: expect.stringMatching(/is revoked \(superseded, since .*\/crl\/issuing\.crl/),
      });
    });

    it('is unavailable when the CRL has expired at the evaluation instant', async () => {
      const status = await check(crlOnlyGood, now + 25 * HOUR_MS);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/expired at .*nextUpdate/) });
    });

    it('is unavailable when the CRL was signed by another CA', async () => {
      const other = await OpensslCa.create(path.join(dir, 'other'), root);
      server.publishCrl('other.crl', await other.crl(24));
      const certificate = await leaf('wrong crl', { crl: [`${server.url}/crl/other.crl`] });
      const status = await check(certificate);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/issued by another CA/) });
    });

    it('is unavailable when a distribution point is missing (every one is checked)', async () => {
      const certificate = await leaf('two points', { crl: [crlUrl, `${server.url}/crl/missing.crl`] });
      const status = await check(certificate);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/HTTP 404/) });
    });

    it('refuses an https: distribution point (the spec allows HTTP only)', async () => {
      const certificate = await leaf('https point', { crl: ['https://127.0.0.1:1/crl'] });
      const status = await check(certificate);
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/not an http: URL/) });
    });

    it(`checks ${MAX_CRL_URLS_PER_CERTIFICATE} distribution points and refuses one more`, async () => {
      const points = (count: number) => Array.from({ length: count }, (_, index) => `${crlUrl}?mirror=${index}`);
      await expect(check(await leaf('at bound', { crl: points(MAX_CRL_URLS_PER_CERTIFICATE) }))).resolves.toEqual({
        status: 'ok',
      });
      const status = await check(await leaf('past bound', { crl: points(MAX_CRL_URLS_PER_CERTIFICATE + 1) }));
      expect(status).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/more than 4/) });
    });
  });

  describe('the chain', () => {
    it('is ok without asking anyone when no certificate names OCSP or CRL locations', async () => {
      const before = server.requests.length;
      await expect(check(noLocations)).resolves.toEqual({ status: 'ok' });
      expect(server.requests.length).toBe(before);
    });

    it('is ok for a lone self-signed certificate', async () => {
      await expect(new OcspCrlRevocationChecker().check([root.node], context())).resolves.toEqual({ status: 'ok' });
    });
  });

  describe('the cache', () => {
    it('answers a repeated check from memory until the answer may be stale', async () => {
      const checker = new OcspCrlRevocationChecker();
      const before = ocspRequests();
      await checker.check(chainOf(good), context());
      await checker.check(chainOf(good), context(now + 10 * 60_000));
      expect(ocspRequests() - before).toBe(1);
      // Past the in-process maximum age (1 h) the responder is asked again.
      await checker.check(chainOf(good), context(now + 2 * HOUR_MS));
      expect(ocspRequests() - before).toBe(2);
    });

    it('shares one download between concurrent checks of the same certificate', async () => {
      const checker = new OcspCrlRevocationChecker();
      const before = crlRequests();
      await Promise.all([1, 2, 3].map(() => checker.check(chainOf(crlOnlyGood), context())));
      expect(crlRequests() - before).toBe(1);
    });

    describe('when checks with different deadlines share one download', () => {
      /** The real fetcher behind a gate: downloads start only when released, and fail when their signal aborts. */
      function heldFetcher() {
        const real = new NodeRevocationFetcher();
        const signals: AbortSignal[] = [];
        let release: () => void = () => undefined;
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        const fetcher: RevocationFetcher = {
          fetch: async (request) => {
            signals.push(request.signal);
            await new Promise<void>((resolve, reject) => {
              request.signal.addEventListener('abort', () => reject(new Error('download aborted')), { once: true });
              void released.then(resolve);
            });
            return real.fetch(request);
          },
        };
        const started = async () => {
          for (let turn = 0; turn < 400 && signals.length === 0; turn++)
            await new Promise((resolve) => setTimeout(resolve, 5));
          expect(signals).toHaveLength(1);
        };
        return { fetcher, signals, started, release: () => release(), close: () => real.close() };
      }

      // The CRL path reaches the shared download in microtasks, so both checks have joined it before the first
      // timer fires (the OCSP path hashes its CertID on the thread pool first; answer-cache.test.ts covers it).
      it('gives the later check the CRL after the first has passed its own deadline', async () => {
        const certificate = await leaf('shared crl', { crl: [crlUrl] }); // a CRL lists only revoked certificates
        const held = heldFetcher();
        try {
          const checker = new OcspCrlRevocationChecker({ fetcher: held.fetcher });
          const short = new AbortController();
          const long = new AbortController();
          const first = checker.check(chainOf(certificate), context(now, short.signal));
          const second = checker.check(chainOf(certificate), context(now, long.signal));
          await held.started();
          short.abort(new Error('first admission deadline'));
          await expect(first).resolves.toMatchObject({
            status: 'unavailable',
            reason: expect.stringMatching(/deadline passed/),
          });
          // The download did not run under the first admission's signal: it goes on for the second.
          expect(held.signals[0]!.aborted).toBe(false);
          held.release();
          await expect(second).resolves.toEqual({ status: 'ok' });
          expect(held.signals).toHaveLength(1);
        } finally {
          held.close();
        }
      });
    });

    it('keeps no more entries than it is allowed', async () => {
      const checker = new OcspCrlRevocationChecker({ maxOcspEntries: 1 });
      const before = ocspRequests();
      await checker.check(chainOf(good), context());
      await checker.check(chainOf(revoked), context());
      await checker.check(chainOf(good), context());
      expect(ocspRequests() - before).toBe(3);
    });
  });
});

describe('revocation fetcher', () => {
  it('accepts a body of exactly maxBytes and refuses one byte more', async () => {
    const server = await startFakeServer((req, res) => {
      res.writeHead(200).end(Buffer.alloc(req.url === '/big' ? 1001 : 1000));
    });
    const fetcher = new NodeRevocationFetcher();
    const request = { accept: '*/*', timeoutMs: 2_000, maxBytes: 1000, signal: new AbortController().signal };
    try {
      await expect(fetcher.fetch({ url: `${server.url}/exact`, ...request })).resolves.toHaveLength(1000);
      await expect(fetcher.fetch({ url: `${server.url}/big`, ...request })).rejects.toThrow(/more than the 1000/);
    } finally {
      fetcher.close();
      await server.close();
    }
  });

  it('stops waiting at its timeout', async () => {
    const server = await startFakeServer(() => {});
    const fetcher = new NodeRevocationFetcher();
    try {
      await expect(
        fetcher.fetch({
          url: server.url,
          accept: '*/*',
          timeoutMs: 50,
          maxBytes: 10,
          signal: new AbortController().signal,
        }),
      ).rejects.toThrow(/did not answer within 50 ms/);
    } finally {
      fetcher.close();
      await server.close();
    }
  });
});
