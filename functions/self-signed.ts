import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A throwaway certificate for `serve --self-signed` (openssl, EC P-256, 30 days). Its subject alternative names
 * cover localhost, the loopback addresses, the listen host and the names kind/minikube use to reach the host,
 * so that its PEM can be the webhook's caBundle.
 */
export async function generateSelfSignedCertificate(hosts: readonly string[]): Promise<{ cert: string; key: string }> {
  const names = new Set(['localhost', '127.0.0.1', '::1', 'host.docker.internal', 'host.minikube.internal', ...hosts]);
  const san = [...names]
    .filter((name) => name !== '' && name !== '0.0.0.0' && name !== '::')
    .map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`))
    .join(',');
  const dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '30',
        '-subj',
        '/CN=notary-gate-local',
        '-addext',
        `subjectAltName=${san}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { timeout: 30_000 },
    );
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
