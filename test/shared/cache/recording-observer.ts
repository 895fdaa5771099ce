/** An Observer that remembers what it was told, so tests can assert counts and warnings. */
import type { MetricName, Observer } from '../../../shared/observer';

export interface RecordingObserver extends Observer {
  readonly counts: { metric: MetricName; value: number; dimension?: { name: string; value: string } }[];
  readonly warnings: { message: string; fields?: Record<string, unknown> }[];
  /** Sum of a metric, optionally only where its dimension has this value. */
  total(metric: MetricName, dimensionValue?: string): number;
}

export function recordingObserver(): RecordingObserver {
  const counts: RecordingObserver['counts'] = [];
  const warnings: RecordingObserver['warnings'] = [];
  return {
    counts,
    warnings,
    count(metric, value = 1, dimension) {
      counts.push(dimension ? { metric, value, dimension } : { metric, value });
    },
    warn(message, fields) {
      warnings.push(fields ? { message, fields } : { message });
    },
    debug() {},
    total(metric, dimensionValue) {
      return counts
        .filter((c) => c.metric === metric && (dimensionValue === undefined || c.dimension?.value === dimensionValue))
        .reduce((sum, c) => sum + c.value, 0);
    },
  };
}
