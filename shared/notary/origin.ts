/** The Notary v1 server as an origin of the shared registry transport: its codes, metric and credentials setting. */
import type { OriginLabel } from '../registry/origin';
import { NOTARY_V1_FORMAT } from './format-name';

export const NOTARY_ORIGIN: OriginLabel = {
  name: 'Notary',
  unreachableCode: 'NOTARY_UNREACHABLE',
  errorCode: 'NOTARY_ERROR',
  credentialsSetting: "the rule's notary.auth",
  format: NOTARY_V1_FORMAT,
};
