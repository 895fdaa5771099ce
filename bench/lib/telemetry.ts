/**
 * A Telemetry for scenarios that run the handler from source: it counts metrics and keeps where each image's
 * trust data came from (origin, memory, dynamodb, stale), and writes nothing, so that output does not skew timing.
 */
import type { MetricName } from '../../shared/observer';
import type { Telemetry } from '../../shared/runtime/telemetry';

export interface CountingTelemetry extends Telemetry {
  readonly metrics: Map<MetricName, number>;
  /** Images answered per trust source, over every decision logged. */
  readonly sources: Map<string, number>;
  decisions: number;
}

export function countingTelemetry(): CountingTelemetry {
  const metrics = new Map<MetricName, number>();
  const sources = new Map<string, number>();
  const telemetry: CountingTelemetry = {
    metrics,
    sources,
    decisions: 0,
    observer: {
      count(metric, value = 1) {
        metrics.set(metric, (metrics.get(metric) ?? 0) + value);
      },
      warn() {},
      debug() {},
    },
    logDecision(record) {
      telemetry.decisions++;
      for (const image of (record.images as { source?: string }[] | undefined) ?? []) {
        const source = image.source ?? 'none';
        sources.set(source, (sources.get(source) ?? 0) + 1);
      }
    },
    error() {},
    flush() {},
  };
  return telemetry;
}
