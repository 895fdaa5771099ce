import type { Writable } from 'node:stream';
import { SERVICE_NAME } from '../constants';
import type { Observer } from '../observer';
import type { Telemetry } from './telemetry';

/**
 * Telemetry for the CLI (`serve`, `review`, `check`): JSON lines on a stream, standard error by default, so
 * standard output holds only the command's result. Metrics have no backend locally; they are counted in
 * `debug` mode only, as debug lines.
 */
export function streamTelemetry(options: { stream?: Writable; debug?: boolean } = {}): Telemetry {
  const stream = options.stream ?? process.stderr;
  const write = (level: string, message: string, fields: Record<string, unknown> = {}) =>
    stream.write(
      `${JSON.stringify({ level, service: SERVICE_NAME, timestamp: new Date().toISOString(), message, ...fields })}\n`,
    );
  const observer: Observer = {
    count(metric, value = 1, dimension, second) {
      if (!options.debug) return;
      const dimensions = [dimension, second].flatMap((d) => (d ? [d] : []));
      write('DEBUG', 'metric', { metric, value, ...Object.fromEntries(dimensions.map((d) => [d.name, d.value])) });
    },
    warn: (message, fields) => write('WARN', message, fields),
    debug(message, fields) {
      if (options.debug) write('DEBUG', message, fields);
    },
  };
  return {
    observer,
    logDecision: (record) => write('INFO', 'admission decision', record),
    error: (message, fields) => write('ERROR', message, fields),
    flush() {},
  };
}
