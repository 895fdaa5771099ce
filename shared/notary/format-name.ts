/** The Notary v1 format's stable name: in verdicts, logs, cache keys and the `format` dimension of metrics. */
export const NOTARY_V1_FORMAT = 'notary-v1';
