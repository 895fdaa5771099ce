/**
 * The webhook as the Lambda runs it, for fault tests: the middy chain of functions/webhook.ts (Powertools logger
 * context, Powertools telemetry) on a runtime built from the environment by runtimeFromEnv (policy, in-memory or
 * DynamoDB cache, the real NotaryVerifier and transport), with the evaluation clock injected. Each call captures
 * what the Lambda writes to standard output and error, and returns it with the AdmissionReview response.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { createWebhookHandler } from '../../../functions/app';
import type { WebhookHandler } from '../../../functions/context';
import { localLambdaContext, toFunctionUrlEvent } from '../../../functions/url-event';
import type { Clock } from '../../../shared/clock';
import { runtimeFromEnv } from '../../../shared/runtime/from-env';
import { logger, powertoolsTelemetry } from '../../../shared/runtime/powertools';
import type { Runtime } from '../../../shared/runtime/runtime';
import type { FormatModule } from '../../../shared/verify/format';
import { fixture, type ReviewBody } from '../../functions/events';
import { captureLambdaOutput, decisionLines, type LambdaOutput, type LogLine } from './lambda-output';

export interface GateOptions {
  /** The policy document (POLICY, as JSON). */
  readonly policy: object;
  /** More environment: CACHE_TABLE, AWS_ENDPOINT_URL_DYNAMODB, ... */
  readonly env?: Readonly<Record<string, string>>;
  /** The evaluation instant (expiry, cache freshness); deadlines always run on the wall clock. */
  readonly clock?: Clock;
  /** The body limit, when a test needs a smaller one than MAX_BODY_BYTES. */
  readonly maxBodyBytes?: number;
  /** Where the policy's relative paths resolve (default: the working directory). */
  readonly baseDir?: string;
  /** The signature formats, when a test adds its own (default: FORMAT_MODULES). */
  readonly formats?: readonly FormatModule[];
}

/** How the apiserver and Lambda bound one call. Defaults: no `?timeout=`, a 30 s function. */
export interface CallLimits {
  /** The apiserver's `?timeout=` (a Go duration), counted from when the function URL received the request. */
  readonly timeoutQuery?: string;
  /** The function's remaining time when the invocation starts. */
  readonly lambdaTimeoutMs?: number;
}

/**
 * Short deadlines, for servers that never answer: 2 s minus the 750 ms margin leaves 1.25 s, ample for the first
 * requests to go out even on a loaded machine (the tests check that they did), and short enough to stay quick.
 */
export const SHORT_QUERY: CallLimits = { timeoutQuery: '2s' };
export const SHORT_LAMBDA: CallLimits = { lambdaTimeoutMs: 2_000 };

export interface GateAnswer {
  readonly statusCode: number;
  /** The whole JSON body: an AdmissionReview, or `{ error, reason }`. */
  readonly body: unknown;
  readonly response: ReviewBody['response'];
  /** Every line and metric the invocation wrote. */
  readonly output: LambdaOutput;
  /** The `admission decision` records among them. */
  readonly decisions: LogLine[];
}

export interface Gate {
  readonly handler: WebhookHandler;
  /** Posts a Pod with these container images to /validate and reads the answer and the output. */
  admit(images: readonly string[], limits?: CallLimits): Promise<GateAnswer>;
}

export function webhookUnderTest(options: GateOptions): Gate {
  const env = { POLICY: JSON.stringify(options.policy), ...options.env };
  // The same composition as the Lambda entry (functions/webhook.ts), with the environment and clock injected.
  let runtime: Runtime | undefined;
  const handler = createWebhookHandler(
    async () => {
      runtime = await runtimeFromEnv({
        env,
        baseDir: options.baseDir ?? process.cwd(),
        telemetry: powertoolsTelemetry,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.formats ? { formats: options.formats } : {}),
      });
      return runtime;
    },
    {
      telemetry: powertoolsTelemetry,
      middlewares: [injectLambdaContext(logger, { resetKeys: true })],
      ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    },
  );
  return {
    handler,
    async admit(images, limits = {}) {
      const query = limits.timeoutQuery === undefined ? '' : `?timeout=${limits.timeoutQuery}`;
      const event = toFunctionUrlEvent({
        method: 'POST',
        url: `/validate${query}`,
        headers: { 'content-type': 'application/json', host: 'abc.lambda-url.eu-west-1.on.aws' },
        sourceIp: '10.0.0.1',
        body: Buffer.from(podReview(images)),
      });
      const context = localLambdaContext(limits.lambdaTimeoutMs ?? 30_000);
      const { result, output } = await captureLambdaOutput(async () => {
        const answered = await handler(event, context);
        // The handler waits for cache writes only within its budget; the rest would finish (and warn) during a
        // later test. Wait for them here, after the answer, so that their lines belong to this call's output.
        await runtime?.flush();
        return answered;
      });
      const body = JSON.parse(result.body ?? 'null') as ReviewBody | null;
      return {
        statusCode: result.statusCode ?? 0,
        body,
        response: body?.response as ReviewBody['response'],
        output,
        decisions: decisionLines(output),
      };
    },
  };
}

/** The README sample pod (test/fixtures/admission/pod-create.json) running the given images. */
export function podReview(images: readonly string[]): string {
  const review = JSON.parse(fixture('pod-create.json'));
  review.request.object.spec.containers = images.map((image, index) => ({ name: `c${index}`, image }));
  review.request.object.spec.initContainers = [];
  return JSON.stringify(review);
}

/** A policy with one verify rule for `match`, Notary at `server` trusted through `ca` (PEM text). */
export function notaryPolicy(options: {
  match: string;
  server: string;
  ca: string;
  mode: 'enforce' | 'audit';
  rootKeys?: string[];
}): object {
  return {
    mode: options.mode,
    defaultAction: 'deny',
    rules: [
      {
        match: [options.match],
        action: 'verify',
        notary: { server: options.server, caFile: options.ca, ...(options.rootKeys && { rootKeys: options.rootKeys }) },
      },
    ],
  };
}
