// Runs admissions through the bundled Lambda (dist-style index.js) in a process of its own, as the Lambda runtime
// would: `handler(event, context)` one invocation after another. The bundle's logs (one decision record per
// admission, EMF metrics) go to this process's stdout, which the bench discards; results go back over IPC.
// Started by bench/scenarios/warm.ts with the environment the function would have (POLICY_FILE, ...).
const { performance } = require('node:perf_hooks');

process.once('message', async ({ bundle, body, warmup, iterations }) => {
  try {
    const { handler } = require(bundle);
    const base = JSON.parse(body);
    const invoke = async (index) => {
      const startedAt = Date.now();
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: '/validate',
        rawQueryString: 'timeout=10s',
        headers: { 'content-type': 'application/json', host: 'bench.lambda-url.eu-west-1.on.aws' },
        queryStringParameters: { timeout: '10s' },
        requestContext: {
          http: { method: 'POST', path: '/validate', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'bench' },
          requestId: `bench-${index}`,
          routeKey: '$default',
          stage: '$default',
          timeEpoch: startedAt,
        },
        body: JSON.stringify({ ...base, request: { ...base.request, uid: `uid-${index}` } }),
        isBase64Encoded: false,
      };
      const context = {
        functionName: 'notary-gate-bench',
        awsRequestId: `bench-${index}`,
        getRemainingTimeInMillis: () => Math.max(0, startedAt + 10_000 - Date.now()),
      };
      // The Lambda runtime fetches each event over HTTP: the event loop turns between invocations, and work the
      // previous one left to it (log write callbacks on process.nextTick) runs there, outside the timed span.
      await new Promise((resolve) => setImmediate(resolve));
      const started = performance.now();
      const result = await handler(event, context);
      const ms = performance.now() - started;
      const allowed = result.statusCode === 200 && JSON.parse(result.body).response.allowed === true;
      return { ms, allowed };
    };
    const first = await invoke(-1);
    for (let i = 0; i < warmup; i++) await invoke(i);
    const samples = new Array(iterations);
    let denied = 0;
    for (let i = 0; i < iterations; i++) {
      const { ms, allowed } = await invoke(warmup + i);
      samples[i] = ms;
      if (!allowed) denied++;
    }
    // The machine's floor: the same number of timed spans, each spinning the CPU for the admissions' median time.
    // What lands in this p99 is not the webhook's: preemption by other processes, timer and GC noise.
    const median = [...samples].sort((a, b) => a - b)[Math.floor(iterations / 2)];
    const floorSamples = new Array(iterations);
    for (let i = 0; i < iterations; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      const started = performance.now();
      while (performance.now() - started < median) {}
      floorSamples[i] = performance.now() - started;
    }
    process.send({ ok: true, firstMs: first.ms, firstAllowed: first.allowed, samples, denied, floorSamples });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
