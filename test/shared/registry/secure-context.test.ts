import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { generateSelfSignedCertificate } from '../../../functions/self-signed';
import { secureContextWithExtraCa } from '../../../shared/registry/secure-context';

describe('secureContextWithExtraCa', () => {
  let server: https.Server;
  let url: string;
  let cert: string;
  beforeAll(async () => {
    const tls = await generateSelfSignedCertificate(['127.0.0.1']);
    cert = tls.cert;
    server = https.createServer(tls, (_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** A fresh connection (no agent: a pooled socket would hide which context verified it). */
  const connect = (secureContext: SecureContext) =>
    new Promise<string>((resolve) => {
      https
        .get(url, { secureContext, agent: false } as https.RequestOptions, (response) => {
          response.resume();
          resolve(String(response.statusCode));
        })
        .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });

  it('trusts the extra CA', async () => {
    expect(await connect(secureContextWithExtraCa(cert))).toBe('200');
  });

  it('leaves the default roots of every other context alone', async () => {
    secureContextWithExtraCa(cert);
    expect(await connect(createSecureContext())).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });
});
