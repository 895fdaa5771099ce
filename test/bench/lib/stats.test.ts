import { median, percentile, summarize } from '../../../bench/lib/stats';

describe('the latency statistics of the bench', () => {
  it('takes nearest-rank percentiles: p50 of 1..100 is 50, p99 is 99', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });

  it('summarizes unsorted samples without reordering the caller’s array', () => {
    const samples = [5, 1, 3, 2, 4];
    expect(summarize(samples)).toEqual({ samples: 5, p50Ms: 3, p99Ms: 5, maxMs: 5, meanMs: 3 });
    expect(samples).toEqual([5, 1, 3, 2, 4]);
  });

  it('gives NaN, not a number that looks measured, for no samples', () => {
    expect(percentile([], 99)).toBeNaN();
    expect(median([])).toBeNaN();
  });
});
