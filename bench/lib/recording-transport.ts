/**
 * Wraps the real HTTP transport and records every request the Notary client makes (token requests included):
 * what, when, its status, and its wave. A wave is a set of requests sent without waiting on each other: a request
 * opens a new wave when some request has completed since the current wave opened, so the number of waves is the
 * number of round trips one after another (what latency on a real network multiplies).
 */
import type { HttpRequest, HttpResponse, HttpTransport } from '../../shared/registry/http';

export interface RecordedRequest {
  /** `token`, or the metadata file name (`root.json`, `snapshot.{sha256}.json`, ...). */
  readonly what: string;
  readonly status: number;
  readonly wave: number;
}

export class RecordingTransport implements HttpTransport {
  #requests: RecordedRequest[] = [];
  #wave = -1;
  #completedSinceWaveOpened = true;

  constructor(private readonly inner: HttpTransport) {}

  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** Forgets what was recorded (the connections of the inner transport stay open). */
  reset(): void {
    this.#requests = [];
    this.#wave = -1;
    this.#completedSinceWaveOpened = true;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    if (this.#completedSinceWaveOpened) {
      this.#wave++;
      this.#completedSinceWaveOpened = false;
    }
    const wave = this.#wave;
    const what = describe(request.url, request.method);
    try {
      const response = await this.inner.request(request);
      this.#requests.push({ what, status: response.status, wave });
      return response;
    } catch (error) {
      this.#requests.push({ what, status: 0, wave });
      throw error;
    } finally {
      this.#completedSinceWaveOpened = true;
    }
  }
}

/**
 * `root.json` for a TUF file; for an OCI registry `HEAD manifest`, `manifest`, `referrers`, `blob`; `token` for
 * anything else (the token realm).
 */
function describe(url: string, method: string | undefined): string {
  const { pathname } = new URL(url);
  // Delegated roles have a slash in their name (`targets/releases.json`).
  const tuf = /\/_trust\/tuf\/([^?]+)$/.exec(pathname);
  if (tuf) return decodeURIComponent(tuf[1]!).replace(/\.[0-9a-f]{64}\.json$/, '.{sha256}.json');
  const registry = /^\/v2\/.+\/(manifests|blobs|referrers)\/[^/]+$/.exec(pathname);
  if (registry) {
    const kind = { manifests: 'manifest', blobs: 'blob', referrers: 'referrers' }[registry[1] as 'blobs'];
    return method === 'HEAD' ? `HEAD ${kind}` : kind;
  }
  return 'token';
}

/**
 * Waves after authentication: those after the last wave that fetched a token (all of them when none did). What a
 * client that already holds a token pays per cold lookup, and what issue 12's and 13's targets count.
 */
export function wavesAfterAuth(requests: readonly RecordedRequest[]): number {
  const tokenWaves = requests.filter((r) => r.what === 'token').map((r) => r.wave);
  const after = tokenWaves.length === 0 ? -1 : Math.max(...tokenWaves);
  return new Set(requests.filter((r) => r.wave > after).map((r) => r.wave)).size;
}

/** Waves as text, e.g. `root,timestamp (401) > token > root,timestamp > snapshot > targets` (a markdown table cell). */
export function describeWaves(requests: readonly RecordedRequest[]): string {
  const waves = new Map<number, RecordedRequest[]>();
  for (const request of requests) waves.set(request.wave, [...(waves.get(request.wave) ?? []), request]);
  return [...waves.keys()]
    .sort((a, b) => a - b)
    .map((wave) => {
      const inWave = waves.get(wave)!;
      const names = inWave.map((r) => r.what.replace(/\.json$/, '')).join(',');
      const statuses = [...new Set(inWave.map((r) => r.status))];
      return statuses.length === 1 && statuses[0] === 200 ? names : `${names} (${statuses.join('/')})`;
    })
    .join(' > ');
}
