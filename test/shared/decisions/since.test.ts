import { parseSince } from '../../../shared/decisions/since';
import { InvalidInputError } from '../../../shared/errors';

const NOW = Date.parse('2026-11-27T12:00:00Z');

describe('the --since window start', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['7d', 7 * 86_400_000],
    ['2w', 14 * 86_400_000],
  ])('reaches %s back from now', (text, ms) => {
    expect(parseSince(text, NOW)).toBe(NOW - ms);
  });

  it('takes an RFC 3339 instant as it is', () => {
    expect(parseSince('2026-11-27T10:30:00+01:00', NOW)).toBe(Date.parse('2026-11-27T09:30:00Z'));
  });

  it.each(['', '1', 'h', '-1h', '0m', '400d', '1y', 'yesterday', '2026-11-28T00:00:00Z', '2026-11-27'])(
    'refuses %j',
    (text) => {
      expect(() => parseSince(text, NOW)).toThrow(InvalidInputError);
    },
  );
});
