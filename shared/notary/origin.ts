/** The Notary v1 server as an origin of the shared registry transport: its codes, metric and credentials setting. */
import { METRIC } from '../observer';
import type { OriginLabel } from '../registry/origin';

export const NOTARY_ORIGIN: OriginLabel = {
  name: 'Notary',
  unreachableCode: 'NOTARY_UNREACHABLE',
  errorCode: 'NOTARY_ERROR',
  credentialsSetting: "the rule's notary.auth",
  errorsMetric: METRIC.notaryErrors,
};
