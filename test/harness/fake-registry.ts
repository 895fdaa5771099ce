/**
 * An in-process registry that speaks the parts of the distribution spec distribution 2.8 lacks: the referrers API
 * (`artifactType` filter, `OCI-Filters-Applied`, `Link` pagination, `NAME_UNKNOWN`), Bearer challenges with its own
 * token endpoint, and blob downloads redirected to another origin (as ECR and Docker Hub send them to S3/CDN).
 * Content is put in by the test; `fault` lets a test replace any answer.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { type FakeServer, startFakeServer } from './fake-server';

export interface FakeRegistryOptions {
  /** Serve `/v2/<name>/referrers/<digest>` (default true); false answers 404 like distribution 2.8. */
  readonly referrersApi?: boolean;
  /** Apply `artifactType` server-side and say so in `OCI-Filters-Applied` (default true). */
  readonly applyFilters?: boolean;
  /** Referrers per page; more pages are linked with `Link: rel="next"` (default: all on one page). */
  readonly pageSize?: number;
  /** Require `Authorization: Bearer <token>` got from this registry's `/token` (default false). */
  readonly bearer?: boolean;
  /** Redirect blob downloads to this origin's `/s3/<digest>` (served by `blobHost`). */
  readonly redirectBlobs?: boolean;
  /** Replace an answer: return true when the fault handled the request. */
  readonly fault?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

export interface FakeRegistry {
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly server: FakeServer;
  /** The other origin blobs are redirected to; records whether requests carried Authorization. */
  readonly blobHost: FakeServer;
  readonly stats: { tokens: number };
  /** Stores a manifest (JSON value) in a repository, optionally tagged; returns its descriptor. */
  putManifest(repository: string, manifest: object, options?: { tag?: string; mediaType?: string }): Descriptor;
  putBlob(repository: string, bytes: Uint8Array, mediaType?: string): Descriptor;
  close(): Promise<void>;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}
interface Stored {
  mediaType: string;
  bytes: Buffer;
  /** For manifests: the subject digest and artifact type (referrers). */
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const repositories = new Map<
    string,
    { manifests: Map<string, Stored>; tags: Map<string, string>; blobs: Map<string, Stored> }
  >();
  const repo = (name: string) => {
    let found = repositories.get(name);
    if (!found) {
      found = { manifests: new Map(), tags: new Map(), blobs: new Map() };
      repositories.set(name, found);
    }
    return found;
  };
  const stats = { tokens: 0 };
  const blobs = new Map<string, Buffer>();
  const blobHost = await startFakeServer((req, res) => {
    const digest = (req.url ?? '').replace(/^\/s3\//, '');
    const bytes = blobs.get(digest);
    if (bytes) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
    else res.writeHead(404).end();
  });
  const error = (res: http.ServerResponse, status: number, code: string): unknown => {
    return res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ errors: [{ code, message: code }] }));
  };

  let self: FakeServer;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): unknown => {
    if (options.fault?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://registry');
    if (url.pathname === '/token') {
      stats.tokens++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token: 'fake-token', expires_in: 300 }));
      return;
    }
    if (options.bearer && req.headers.authorization !== 'Bearer fake-token') {
      const scope = /^\/v2\/(.+)\/(manifests|blobs|referrers)\//.exec(url.pathname)?.[1];
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="${self.url}/token",service="fake-registry"${scope ? `,scope="repository:${scope}:pull"` : ''}`,
        })
        .end();
      return;
    }
    const match = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(url.pathname);
    if (!match) return error(res, 404, 'NOT_FOUND');
    const [, name = '', kind, reference = ''] = match;
    const found = repositories.get(name);
    if (!found) return error(res, 404, 'NAME_UNKNOWN');
    if (kind === 'referrers') {
      if (options.referrersApi === false)
        return res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      const artifactType = url.searchParams.get('artifactType');
      const filter = options.applyFilters !== false && artifactType !== null;
      const all = [...found.manifests.entries()]
        .filter(([, stored]) => stored.subject === reference)
        .filter(([, stored]) => !filter || stored.artifactType === artifactType)
        .map(([digest, stored]) => ({
          mediaType: stored.mediaType,
          digest,
          size: stored.bytes.length,
          ...(stored.artifactType && { artifactType: stored.artifactType }),
          ...(stored.annotations && { annotations: stored.annotations }),
        }));
      const pageSize = options.pageSize ?? all.length;
      const start = Number(url.searchParams.get('n_start') ?? 0);
      const page = all.slice(start, start + Math.max(pageSize, 1));
      const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
      if (filter) headers['oci-filters-applied'] = 'artifactType';
      if (start + pageSize < all.length) {
        const next = new URLSearchParams(url.searchParams);
        next.set('n_start', String(start + pageSize));
        headers.link = `<${url.pathname}?${next}>; rel="next"`;
      }
      res
        .writeHead(200, headers)
        .end(JSON.stringify({ schemaVersion: 2, mediaType: headers['content-type'], manifests: page }));
      return;
    }
    if (kind === 'manifests') {
      const digest = reference.startsWith('sha256:') ? reference : found.tags.get(reference);
      const stored = digest ? found.manifests.get(digest) : undefined;
      if (!stored || !digest) return error(res, 404, 'MANIFEST_UNKNOWN');
      const headers = {
        'content-type': stored.mediaType,
        'docker-content-digest': digest,
        'content-length': String(stored.bytes.length),
      };
      if (req.method === 'HEAD') return res.writeHead(200, headers).end();
      res.writeHead(200, headers).end(stored.bytes);
      return;
    }
    const stored = found.blobs.get(reference);
    if (!stored) return error(res, 404, 'BLOB_UNKNOWN');
    if (options.redirectBlobs) return res.writeHead(307, { location: `${blobHost.url}/s3/${reference}` }).end();
    res.writeHead(200, { 'content-type': stored.mediaType }).end(stored.bytes);
  };
  self = await startFakeServer(handler);

  return {
    url: self.url,
    host: new URL(self.url).host,
    server: self,
    blobHost,
    stats,
    putManifest(repository, manifest, putOptions = {}) {
      const bytes = Buffer.from(JSON.stringify(manifest));
      const value = manifest as {
        mediaType?: string;
        subject?: { digest?: string };
        artifactType?: string;
        config?: { mediaType?: string };
        annotations?: Record<string, string>;
      };
      const mediaType = putOptions.mediaType ?? value.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
      const digest = digestOf(bytes);
      repo(repository).manifests.set(digest, {
        mediaType,
        bytes,
        subject: value.subject?.digest,
        artifactType: value.artifactType ?? value.config?.mediaType,
        annotations: value.annotations,
      });
      if (putOptions.tag) repo(repository).tags.set(putOptions.tag, digest);
      return { mediaType, digest, size: bytes.length };
    },
    putBlob(repository, bytes, mediaType = 'application/octet-stream') {
      const buffer = Buffer.from(bytes);
      const digest = digestOf(buffer);
      repo(repository).blobs.set(digest, { mediaType, bytes: buffer });
      blobs.set(digest, buffer);
      return { mediaType, digest, size: buffer.length };
    },
    async close() {
      await Promise.all([self.close(), blobHost.close()]);
    },
  };
}
