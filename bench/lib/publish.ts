/**
 * Writes the latest table into the documents that publish it (README.md and docs/performance.md), between
 * `<!-- bench:table -->` and `<!-- /bench:table -->`, so that the numbers people read always come from a run.
 */
import { readFile, writeFile } from 'node:fs/promises';

export const TABLE_START = '<!-- bench:table -->';
export const TABLE_END = '<!-- /bench:table -->';

/** The text with the part between the markers replaced; unchanged when a marker is missing. */
export function replaceBetweenMarkers(text: string, content: string): string {
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END, start);
  if (start < 0 || end < 0) return text;
  return `${text.slice(0, start + TABLE_START.length)}\n${content}\n${text.slice(end)}`;
}

/** Updates each file that has the markers; returns the files changed. */
export async function publishTable(files: readonly string[], content: string): Promise<string[]> {
  const changed: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const updated = replaceBetweenMarkers(text, content);
    if (updated !== text) {
      await writeFile(file, updated);
      changed.push(file);
    }
  }
  return changed;
}
