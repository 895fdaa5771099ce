import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMISSION_FIXTURES = join(__dirname, '..', '..', 'fixtures', 'admission');

/** A fixture AdmissionReview as the apiserver sends it (test/fixtures/admission/<name>.json). */
export function loadReview(name: string): Record<string, unknown> & { request: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(ADMISSION_FIXTURES, `${name}.json`), 'utf8'));
}
