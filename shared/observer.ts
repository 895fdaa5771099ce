/**
 * How domain code reports what operators count and read, without importing Powertools: the Lambda and `serve`
 * pass an implementation backed by Powertools Logger and Metrics; tests pass a recorder; the default is silent.
 * Dimensions stay low-cardinality (codes, sources), never image names.
 */
export const METRIC = {
  admissions: 'Admissions',
  denials: 'Denials',
  auditDenials: 'AuditDenials',
  notaryRequests: 'NotaryRequests',
  notaryErrors: 'NotaryErrors',
  tokenRequests: 'TokenRequests',
  registryRequests: 'RegistryRequests',
  registryErrors: 'RegistryErrors',
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

export interface Observer {
  /** Adds `value` (default 1) to a metric; `dimension` is one low-cardinality label such as a code or a source. */
  count(metric: MetricName, value?: number, dimension?: { name: string; value: string }): void;
  /** A warning an operator should see (never with tokens, credentials or raw events). */
  warn(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export const silentObserver: Observer = { count() {}, warn() {}, debug() {} };
