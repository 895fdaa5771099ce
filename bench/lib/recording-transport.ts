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
    const what = describe(request.url);
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

/** `root.json` for a TUF file, `token` for anything else (the token realm). */
function describe(url: string): string {
  // Delegated roles have a slash in their name (`targets/releases.json`).
  const match = /\/_trust\/tuf\/([^?]+)$/.exec(new URL(url).pathname);
  return match ? decodeURIComponent(match[1]!).replace(/\.[0-9a-f]{64}\.json$/, '.{sha256}.json') : 'token';
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
