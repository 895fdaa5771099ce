/**
 * How domain code reports what operators count and read, without importing Powertools: the Lambda and `serve`
 * pass an implementation backed by Powertools Logger and Metrics; tests pass a recorder; the default is silent.
 * Dimensions stay low-cardinality (codes, sources), never image names.
 */
export const METRIC = {
  admissions: 'Admissions',
  denials: 'Denials',
  auditDenials: 'AuditDenials',
  /**
   * Requests to a signature source (a Notary server, an OCI registry), by `format` (`notary-v1`, `registry`); they
   * replace NotaryRequests and RegistryRequests.
   */
  originRequests: 'OriginRequests',
  /** Failed exchanges with a signature source or its token endpoint, by `code` or `status`, and `format`. */
  originErrors: 'OriginErrors',
  /** Token endpoint requests, by `format`. */
  tokenRequests: 'TokenRequests',
  cacheHits: 'CacheHits',
  cacheMisses: 'CacheMisses',
  staleServed: 'StaleServed',
  cacheStoreErrors: 'CacheStoreErrors',
  admissionLatency: 'AdmissionLatency',
  /** `/mutate` admissions, by result (pinned | unchanged). */
  mutations: 'Mutations',
  /** Image fields `/mutate` pinned to a digest. */
  pinnedImages: 'PinnedImages',
  mutationLatency: 'MutationLatency',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** One low-cardinality label of a metric: a code, a source, a format; never an image or namespace name. */
export interface MetricDimension {
  readonly name: string;
  readonly value: string;
}

/** The `format` dimension of origin metrics. */
export function formatDimension(format: string): MetricDimension {
  return { name: 'format', value: format };
}

export interface Observer {
  /**
   * Adds `value` (default 1) to a metric, under up to two low-cardinality dimensions (a code, then a format): at most
   * two, because each combination is its own CloudWatch metric (cost, cardinality).
   */
  count(metric: MetricName, value?: number, dimension?: MetricDimension, second?: MetricDimension): void;
  /** A warning an operator should see (never with tokens, credentials or raw events). */
  warn(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export const silentObserver: Observer = { count() {}, warn() {}, debug() {} };
