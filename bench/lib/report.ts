/** The bench's output: one table of rows (what, measured, target, verdict) for people, and the same as JSON. */

export interface Row {
  readonly scenario: string;
  readonly metric: string;
  readonly value: string;
  /** Empty when the row is information, not a target. */
  readonly target: string;
  /** undefined when there is no target. */
  readonly met?: boolean;
}

export function row(scenario: string, metric: string, value: string, target = '', met?: boolean): Row {
  return met === undefined ? { scenario, metric, value, target } : { scenario, metric, value, target, met };
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['scenario', 'metric', 'measured', 'target', ''];
  const cells = rows.map((r) => [
    r.scenario,
    r.metric,
    r.value,
    r.target,
    r.met === undefined ? '' : r.met ? 'ok' : 'MISS',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 3 : 1)} ms`;
