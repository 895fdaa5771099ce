// Runs admissions through the bundled Lambda (index.mjs and its chunks, as deployed) in a process of its own, as the Lambda runtime
// would: `handler(event, context)` one invocation after another. The bundle's logs (one decision record per
// admission, EMF metrics) go to this process's stdout, which the bench discards; results go back over IPC.
// Started by bench/scenarios/warm.ts with the environment the function would have (POLICY_FILE, ...).
//
// Several kinds of request (the Notary Pod on /validate, the Notation Pod on /validate, the tag Pod on /mutate)
// are timed interleaved: each round sends one of each, in an order that rotates every round, so that whatever
// the machine or the heap does to one kind's samples it does to the others' too (their p99s compare).
const { performance } = require('node:perf_hooks');
const { pathToFileURL } = require('node:url');

process.once('message', async ({ bundle, kinds, warmup, iterations }) => {
  try {
    const { handler } = await import(pathToFileURL(bundle).href);
    const bases = kinds.map((kind) => JSON.parse(kind.body));
    const invoke = async (kindIndex, index) => {
      const kind = kinds[kindIndex];
      const base = bases[kindIndex];
      const startedAt = Date.now();
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: kind.path,
        rawQueryString: 'timeout=10s',
        headers: { 'content-type': 'application/json', host: 'bench.lambda-url.eu-west-1.on.aws' },
        queryStringParameters: { timeout: '10s' },
        requestContext: {
          http: { method: 'POST', path: kind.path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'bench' },
          requestId: `bench-${kindIndex}-${index}`,
          routeKey: '$default',
          stage: '$default',
          timeEpoch: startedAt,
        },
        body: JSON.stringify({ ...base, request: { ...base.request, uid: `uid-${kindIndex}-${index}` } }),
        isBase64Encoded: false,
      };
      const context = {
        functionName: 'notary-gate-bench',
        awsRequestId: `bench-${kindIndex}-${index}`,
        getRemainingTimeInMillis: () => Math.max(0, startedAt + 10_000 - Date.now()),
      };
      // The Lambda runtime fetches each event over HTTP: the event loop turns between invocations, and work the
      // previous one left to it (log write callbacks on process.nextTick) runs there, outside the timed span.
      await new Promise((resolve) => setImmediate(resolve));
      const started = performance.now();
      const result = await handler(event, context);
      const ms = performance.now() - started;
      const response = result.statusCode === 200 ? JSON.parse(result.body).response : undefined;
      // /validate: admitted. /mutate: admitted with a JSON Patch (the pins).
      const ok =
        response?.allowed === true &&
        (kind.path !== '/mutate' || (response.patchType === 'JSONPatch' && !!response.patch));
      return { ms, ok };
    };
    const firsts = [];
    for (let k = 0; k < kinds.length; k++) firsts.push(await invoke(k, -1));
    for (let i = 0; i < warmup; i++) for (let k = 0; k < kinds.length; k++) await invoke(k, i);
    const samples = kinds.map(() => new Array(iterations));
    const failed = kinds.map(() => 0);
    for (let i = 0; i < iterations; i++) {
      for (let j = 0; j < kinds.length; j++) {
        const k = (i + j) % kinds.length;
        const { ms, ok } = await invoke(k, warmup + i);
        samples[k][i] = ms;
        if (!ok) failed[k]++;
      }
    }
    // The machine's floor: the same number of timed spans, each spinning the CPU for the first kind's median time.
    // What lands in this p99 is not the webhook's: preemption by other processes, timer and GC noise.
    const median = [...samples[0]].sort((a, b) => a - b)[Math.floor(iterations / 2)];
    const floorSamples = new Array(iterations);
    for (let i = 0; i < iterations; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      const started = performance.now();
      while (performance.now() - started < median) {}
      floorSamples[i] = performance.now() - started;
    }
    process.send({
      ok: true,
      kinds: kinds.map((kind, k) => ({
        name: kind.name,
        firstMs: firsts[k].ms,
        firstOk: firsts[k].ok,
        samples: samples[k],
        failed: failed[k],
      })),
      floorSamples,
    });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
