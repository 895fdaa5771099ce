/** Stable format name of Notation verdicts, decision logs and metrics. */
export const NOTATION_FORMAT = 'notation';
