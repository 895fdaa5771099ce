import { settleBefore } from '../../../shared/decision/deadline';

const wallClock = () => Date.now();

describe('settleBefore', () => {
  it('returns every result when there is no deadline', async () => {
    const { results, pending } = await settleBefore([1, 2], async (n) => n * 10, {
      deadlineAtMs: undefined,
      wallClock,
    });
    expect([...results]).toEqual([
      [1, 10],
      [2, 20],
    ]);
    expect(pending).toEqual([]);
  });

  describe('when the deadline has passed', () => {
    it('reports work that never settles as pending and aborts its signal', async () => {
      let seen: AbortSignal | undefined;
      const never = (_key: string, signal: AbortSignal) => {
        seen = signal;
        return new Promise<string>(() => {});
      };
      const { results, pending } = await settleBefore(['slow'], never, { deadlineAtMs: wallClock() - 1, wallClock });
      expect(results.size).toBe(0);
      expect(pending).toEqual(['slow']);
      expect(seen?.aborted).toBe(true);
    });

    it('keeps work that settled synchronously before the deadline fired', async () => {
      const { results, pending } = await settleBefore(['fast'], async () => 'done', {
        deadlineAtMs: wallClock() - 1,
        wallClock,
      });
      expect(results.get('fast')).toBe('done');
      expect(pending).toEqual([]);
    });
  });
});
