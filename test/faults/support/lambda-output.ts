/**
 * What the Lambda writes to standard output, captured and read back as CloudWatch would: Powertools Logger lines
 * (JSON, one a line) and Powertools Metrics documents (CloudWatch Embedded Metric Format). The fault tests assert
 * on these, so a log line or a metric that only exists in a test double cannot pass for the real one.
 */

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** One metric value out of an EMF document, with the dimensions of that document. */
export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  readonly namespace: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface LambdaOutput {
  readonly logs: LogLine[];
  readonly metrics: MetricPoint[];
  /** Lines that are neither: anything here is a bug (a stray console.log, a stack trace). */
  readonly other: string[];
}

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

/**
 * Runs `work` with standard output and error captured: Powertools (outside POWERTOOLS_DEV) writes through a Console
 * bound to process.stdout (info, metrics) and process.stderr (warn, error), and Lambda ships both to CloudWatch
 * Logs, so this sees exactly what an operator would.
 */
export async function captureLambdaOutput<T>(work: () => Promise<T>): Promise<{ result: T; output: LambdaOutput }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
  try {
    const result = await work();
    return { result, output: parseLambdaOutput(chunks.join('')) };
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  }
}

export function parseLambdaOutput(text: string): LambdaOutput {
  const output: LambdaOutput = { logs: [], metrics: [], other: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      output.other.push(line);
      continue;
    }
    if (isEmf(parsed)) output.metrics.push(...metricPoints(parsed));
    else if (isLogLine(parsed)) output.logs.push(parsed);
    else output.other.push(line);
  }
  return output;
}

/** The total of one metric, optionally only where a dimension has a value. */
export function metricTotal(output: LambdaOutput, name: string, dimension?: Readonly<Record<string, string>>): number {
  return output.metrics
    .filter((point) => point.name === name)
    .filter((point) => Object.entries(dimension ?? {}).every(([key, value]) => point.dimensions[key] === value))
    .reduce((sum, point) => sum + point.value, 0);
}

export function decisionLines(output: LambdaOutput): LogLine[] {
  return output.logs.filter((line) => line.message === 'admission decision');
}

function isEmf(value: unknown): value is EmfDocument {
  return typeof value === 'object' && value !== null && '_aws' in value;
}

function isLogLine(value: unknown): value is LogLine {
  const line = value as Partial<LogLine> | null;
  return typeof line === 'object' && line !== null && typeof line.level === 'string' && 'message' in line;
}

function metricPoints(document: EmfDocument): MetricPoint[] {
  return document._aws.CloudWatchMetrics.flatMap((directive) => {
    const dimensions: Record<string, string> = {};
    for (const name of directive.Dimensions.flat()) dimensions[name] = String(document[name]);
    return directive.Metrics.flatMap((metric) => {
      const raw = document[metric.Name];
      const values = Array.isArray(raw) ? raw : [raw];
      return values.map((value) => ({
        name: metric.Name,
        value: Number(value),
        namespace: directive.Namespace,
        dimensions,
      }));
    });
  });
}
