/**
 * Builds a NotaryVerifier the way the runtime does (memory store, tiered trust cache), with a recording observer
 * and an optional transport wrapper, so integration tests can count requests and inject faults.
 */
import { MemoryStore } from '../../shared/cache/memory-store';
import { TieredTrustCache } from '../../shared/cache/trust-cache';
import type { KeyValueStore } from '../../shared/cache/types';
import { parseReference } from '../../shared/image/reference';
import { NotaryVerifier, type NotaryVerifierDeps } from '../../shared/notary/verifier';
import type { MetricName, Observer } from '../../shared/observer';
import type { NotarySettings, Rule } from '../../shared/policy/types';
import { type HttpRequest, type HttpResponse, type HttpTransport, NodeHttpTransport } from '../../shared/registry/http';
import type { ImageVerdict } from '../../shared/verify/types';

export class RecordingObserver implements Observer {
  readonly counts = new Map<string, number>();
  readonly warnings: string[] = [];
  count(metric: MetricName, value = 1): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + value);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  debug(): void {}
  get(metric: MetricName): number {
    return this.counts.get(metric) ?? 0;
  }
}

/** A transport that lets a test see and change every response (tampering) or every request (counting). */
export class InterceptingTransport implements HttpTransport {
  readonly urls: string[] = [];
  constructor(
    private readonly inner: HttpTransport,
    private readonly onResponse: (request: HttpRequest, response: HttpResponse) => HttpResponse = (_r, res) => res,
  ) {}
  async request(request: HttpRequest): Promise<HttpResponse> {
    this.urls.push(request.url);
    return this.onResponse(request, await this.inner.request(request));
  }
}

export interface VerifierKit {
  readonly verifier: NotaryVerifier;
  readonly observer: RecordingObserver;
  readonly store: KeyValueStore;
  verify(image: string, rule: Rule, nowMs?: number): Promise<ImageVerdict>;
}

export const sharedTransport = new NodeHttpTransport();

export function verifierKit(options: Partial<NotaryVerifierDeps> = {}): VerifierKit {
  const observer = new RecordingObserver();
  const store = options.store ?? new MemoryStore();
  const verifier = new NotaryVerifier({
    cache: new TieredTrustCache({ store, observer }),
    store,
    observer,
    http: sharedTransport,
    requestTimeoutMs: 5_000,
    ...options,
  });
  return {
    verifier,
    observer,
    store,
    verify: (image, rule, nowMs = Date.now()) =>
      verifier.verify(parseReference(image), rule, { nowMs, signal: new AbortController().signal }),
  };
}

export function notaryRule(notary: Partial<NotarySettings> & { server: string }, requireDigest = true): Rule {
  return {
    match: ['**'],
    action: 'verify',
    requireDigest,
    mode: undefined,
    notary: { ca: undefined, rootKeys: [], delegations: undefined, auth: undefined, ...notary },
  };
}
