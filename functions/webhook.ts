import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { runtimeFromEnv } from '../shared/runtime/from-env';
import { logger, powertoolsTelemetry } from '../shared/runtime/powertools';
import { createWebhookHandler } from './app';
// Loaded at INIT (before the first request), not on first use as the CLI does (shared/cache/lazy-store.ts): the
// first admission of an instance should not pay for loading the DynamoDB client. The bundle carries the client,
// tree-shaken (scripts/bundle.mjs); everything only some policies use loads from its own chunk on first use.
import '../shared/cache/dynamo-store';

/**
 * The Lambda entry (function URL, payload 2.0). The runtime is built on the first request of an instance and
 * reused; relative policy paths resolve against the deployment package's root.
 */
export const handler = createWebhookHandler(
  () =>
    runtimeFromEnv({
      env: process.env,
      baseDir: process.env.LAMBDA_TASK_ROOT ?? process.cwd(),
      telemetry: powertoolsTelemetry,
    }),
  {
    telemetry: powertoolsTelemetry,
    // Every log line of an invocation carries its request id and cold-start flag.
    middlewares: [injectLambdaContext(logger, { resetKeys: true })],
  },
);
