import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODES, VERDICT_CODES } from '../../shared/errors';

/** docs/codes.md lists every code of the table with its category, and no code the table lacks. */
describe('the codes table in docs/codes.md', () => {
  const rows = readFileSync(join(__dirname, '../../docs/codes.md'), 'utf8')
    .split('\n')
    .map((line) => /^\| `([A-Z_]+)` \| ([a-z-]+) \|/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1], match[2]]);

  it('is the table of shared/errors.ts, in its order', () => {
    expect(rows).toEqual(VERDICT_CODES.map((code) => [code, CODES[code].category]));
  });
});
