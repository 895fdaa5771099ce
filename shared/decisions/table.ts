import type { Row } from './run-query';

/** Cells longer than this are cut with an ellipsis, so a long reason cannot wrap the whole table. */
const MAX_CELL_CHARS = 80;

/**
 * Formats query rows as an aligned text table. Columns come in the order the query returns its fields (first
 * appearance across rows); missing cells are empty.
 */
export function formatTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no matching decisions)\n';
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: string | undefined) => {
    const flat = (value ?? '').replace(/\s+/g, ' ');
    return flat.length > MAX_CELL_CHARS ? `${flat.slice(0, MAX_CELL_CHARS - 1)}…` : flat;
  };
  const body = rows.map((row) => columns.map((column) => cell(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...body.map((cells) => cells[index]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((text, index) => (index === cells.length - 1 ? text : text.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  return `${[line(columns), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n')}\n`;
}
