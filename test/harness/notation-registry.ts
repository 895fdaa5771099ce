/**
 * Puts Notation signatures into a real registry the way `notation sign` does on a registry without the referrers
 * API (docker-registry 2.8): the envelope blob, the empty config, the signature manifest (with `subject`), and the
 * referrers tag `sha256-<hex>` holding an OCI index of the signatures. Plain distribution-spec pushes over HTTPS.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import type { RegistryHarness } from './registry-harness';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Desc {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

function request(
  registry: RegistryHarness,
  method: string,
  url: string,
  body?: Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const auth = Buffer.from(`${registry.credentials.username}:${registry.credentials.password}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(url, registry.url),
      { method, ca: registry.caPem, headers: { authorization: `Basic ${auth}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function pushBlob(registry: RegistryHarness, repository: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const start = await request(registry, 'POST', `/v2/${repository}/blobs/uploads/`);
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${start.body}`);
  const location = new URL(String(start.headers.location), registry.url);
  location.searchParams.set('digest', digest);
  const put = await request(registry, 'PUT', location.toString(), bytes, {
    'content-type': 'application/octet-stream',
  });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${put.body}`);
  return digest;
}

export async function pushManifest(
  registry: RegistryHarness,
  repository: string,
  reference: string,
  mediaType: string,
  bytes: Uint8Array,
): Promise<Desc> {
  const res = await request(registry, 'PUT', `/v2/${repository}/manifests/${reference}`, bytes, {
    'content-type': mediaType,
  });
  if (res.status !== 201) throw new Error(`manifest push: ${res.status} ${res.body}`);
  return { mediaType, digest: sha256(bytes), size: bytes.length };
}

const EMPTY = Buffer.from('{}');
const signaturesBySubject = new Map<string, Desc[]>();

/** Pushes one signature of `subject` and rewrites the referrers tag to list every signature pushed so far. */
export async function pushSignature(
  registry: RegistryHarness,
  repository: string,
  subject: Desc,
  envelope: Uint8Array,
  envelopeMediaType = 'application/jose+json',
): Promise<string> {
  const configDigest = await pushBlob(registry, repository, EMPTY);
  const layerDigest = await pushBlob(registry, repository, envelope);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.cncf.notary.signature',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: EMPTY.length },
      layers: [{ mediaType: envelopeMediaType, digest: layerDigest, size: envelope.length }],
      subject,
      annotations: { 'org.opencontainers.image.created': '2025-03-01T12:00:00Z' },
    }),
  );
  const pushed = await pushManifest(
    registry,
    repository,
    sha256(manifest),
    'application/vnd.oci.image.manifest.v1+json',
    manifest,
  );
  const key = `${repository}@${subject.digest}`;
  const listed = [...(signaturesBySubject.get(key) ?? []), pushed];
  signaturesBySubject.set(key, listed);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: listed.map((d) => ({ ...d, artifactType: 'application/vnd.cncf.notary.signature' })),
    }),
  );
  await pushManifest(
    registry,
    repository,
    subject.digest.replace(':', '-'),
    'application/vnd.oci.image.index.v1+json',
    index,
  );
  return pushed.digest;
}

/** A DER certificate as PEM, the form Notation's trust store files hold. */
export const pemOf = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

/**
 * The Notation files a policy folder names, as a user keeps them: `truststore/x509/ca/acme/root.pem` holding `root`
 * and `trustpolicy.json` with one strict statement for every registry that trusts `ca:acme` and the test kit's
 * signer subject (LEAF_SUBJECT's organisation). Relative to `dir`: `./trustpolicy.json`, `./truststore`.
 */
export async function writeNotationTrustFiles(dir: string, root: Uint8Array): Promise<void> {
  await mkdir(path.join(dir, 'truststore', 'x509', 'ca', 'acme'), { recursive: true });
  await writeFile(path.join(dir, 'truststore', 'x509', 'ca', 'acme', 'root.pem'), pemOf(root));
  await writeFile(
    path.join(dir, 'trustpolicy.json'),
    JSON.stringify({
      version: '1.0',
      trustPolicies: [
        {
          name: 'team',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict' },
          trustStores: ['ca:acme'],
          trustedIdentities: ['x509.subject:C=US,ST=WA,O=Acme Inc.'],
        },
      ],
    }),
  );
}
