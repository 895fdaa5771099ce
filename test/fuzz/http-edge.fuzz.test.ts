/**
 * Fuzzing the HTTP edge: random function URL events (methods, paths, query strings, headers, bodies, base64
 * flags, arrival times, remaining Lambda time) into the Lambda's middy chain with a runtime built from POLICY.
 * Whatever arrives: the handler resolves, never with a 5xx; the body is JSON (an AdmissionReview for an answered
 * admission, `{ error, reason }` otherwise); exactly one decision line per answered admission and none for a
 * refused request; no error in the log. Bodies over the limit are refused with 413 before they are decoded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../functions/middleware/body';
import { localLambdaContext } from '../../functions/url-event';
import { downUrl, loopbackTls } from '../faults/support/fake-notary';
import { captureLambdaOutput, decisionLines } from '../faults/support/lambda-output';
import { type Gate, webhookUnderTest } from '../faults/support/webhook';
import { mutated } from './support/mutate';
import { fuzzParams } from './support/params';

const TOKEN = 'fuzz-token-0123456789abcdef';
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'admission');
const fixtureTexts = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => readFileSync(path.join(FIXTURES, name), 'utf8'));

const CLIENT_ERRORS = new Set([400, 403, 404, 405, 413]);

/** A policy with every action, and a verify rule whose Notary is down (fast failures, no waiting). */
async function fuzzPolicy(): Promise<object> {
  return {
    mode: 'enforce',
    defaultAction: 'deny',
    exemptNamespaces: ['kube-system'],
    rules: [
      { match: ['docker.io/library/**'], action: 'allow' },
      { match: ['quay.io/**'], action: 'deny', mode: 'audit' },
      {
        match: ['registry.example.com/**', 'docker.io/**'],
        notary: { server: await downUrl(), caFile: (await loopbackTls()).cert },
      },
    ],
  };
}

// Weighted towards requests that are routed to the admission, so that bodies and queries get exercised too.
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constant('POST') },
  { weight: 2, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'post', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);
const requestPath = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/validate', `/validate/${TOKEN}`) },
  fc.constantFrom('/validate/', '/healthz', '/', '', '/validate/a/b', '/VALIDATE'),
  fc.constantFrom('/validate//', '/validate/%2e%2e', '/healthz/', '//validate', '/validate?x', `/validate/${TOKEN}x`),
  fc.webPath(),
  fc.string({ maxLength: 40 }).map((text) => `/${text}`),
);
const queryValue = fc.oneof(
  fc.constantFrom('10s', '1s', '0s', '500ms', '-1s', '1h', '99999999999999h', 'abc', '', '1.5s', '10s10s'),
  fc.string({ maxLength: 12 }),
);
const query = fc.dictionary(fc.constantFrom('timeout', 'x', '', 'timeout '), queryValue, { maxKeys: 3 });
const headers = fc.dictionary(
  fc.oneof(
    fc.constantFrom('content-type', 'content-length', 'host', 'authorization', 'x-forwarded-for'),
    fc.string({ maxLength: 16 }),
  ),
  fc.string({ maxLength: 40 }),
  { maxKeys: 6 },
);
const bodyText = fc.oneof(
  fc.constantFrom(...fixtureTexts),
  fc.constantFrom(...fixtureTexts).chain((text) => mutated(JSON.parse(text)).map((value) => JSON.stringify(value))),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', 'null', '{', '[]', '"x"', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}'),
);
/** The body as sent: absent, text, base64 of the text, or flagged base64 without being base64. */
const body = fc.option(
  fc.tuple(bodyText, fc.constantFrom('text', 'base64', 'bogus-base64')).map(([text, encoding]) => ({
    body: encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text,
    isBase64Encoded: encoding !== 'text',
  })),
  { nil: undefined },
);

const event: fc.Arbitrary<{ event: APIGatewayProxyEventV2; remainingMs: number }> = fc
  .record({
    method,
    requestPath,
    query,
    headers,
    body,
    receivedAgoMs: fc.option(fc.integer({ min: -60_000, max: 60_000 }), { nil: undefined }),
    remainingMs: fc.integer({ min: 0, max: 30_000 }),
  })
  .map((parts) => {
    const rawQueryString = new URLSearchParams(parts.query).toString();
    const now = Date.now();
    return {
      remainingMs: parts.remainingMs,
      event: {
        version: '2.0',
        routeKey: '$default',
        rawPath: parts.requestPath,
        rawQueryString,
        headers: parts.headers,
        ...(Object.keys(parts.query).length > 0 ? { queryStringParameters: parts.query } : {}),
        requestContext: {
          accountId: 'anonymous',
          apiId: 'fuzz',
          domainName: 'abc.lambda-url.eu-west-1.on.aws',
          domainPrefix: 'abc',
          http: {
            method: parts.method,
            path: parts.requestPath,
            protocol: 'HTTP/1.1',
            sourceIp: '10.0.0.1',
            userAgent: '',
          },
          requestId: 'fuzz',
          routeKey: '$default',
          stage: '$default',
          time: new Date(now).toISOString(),
          timeEpoch: parts.receivedAgoMs === undefined ? now : now - parts.receivedAgoMs,
        },
        ...(parts.body ? parts.body : { isBase64Encoded: false }),
      } as APIGatewayProxyEventV2,
    };
  });

/** Calls the handler and checks every invariant of the HTTP edge on the answer. */
async function expectDefiniteAnswer(gate: Gate, input: { event: APIGatewayProxyEventV2; remainingMs: number }) {
  const { result, output } = await captureLambdaOutput(() =>
    gate.handler(input.event, localLambdaContext(input.remainingMs)),
  );
  const status = result.statusCode ?? 0;
  expect(status === 200 || CLIENT_ERRORS.has(status)).toBe(true);
  expect(result.headers?.['content-type']).toBe('application/json');
  const json = JSON.parse(result.body ?? '');
  const decisions = decisionLines(output);
  if (status === 200 && json.kind === 'AdmissionReview') {
    expect(typeof json.response.uid).toBe('string');
    expect(typeof json.response.allowed).toBe('boolean');
    expect(decisions).toHaveLength(1);
  } else {
    if (status !== 200) expect(json).toEqual({ error: expect.any(String), reason: expect.any(String) });
    else expect(json).toEqual({ status: 'ok' });
    expect(decisions).toHaveLength(0);
  }
  expect(output.logs.filter((line) => line.level === 'ERROR')).toEqual([]);
  expect(output.other).toEqual([]);
  return status;
}

const params = fuzzParams(250);

describe('the HTTP edge under fuzzing', () => {
  let open: Gate;
  let tokened: Gate;
  beforeAll(async () => {
    const policy = await fuzzPolicy();
    open = webhookUnderTest({ policy });
    tokened = webhookUnderTest({ policy, env: { WEBHOOK_TOKEN: TOKEN } });
  });

  it('answers every random request definitely, never with a 5xx', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(event, async (input) => {
        seen.add(await expectDefiniteAnswer(open, input));
      }),
      params,
    );
    // The fuzzing reached answers, refusals of each kind, and routing errors alike.
    expect([...seen].sort()).toEqual(expect.arrayContaining([200, 400, 404, 405]));
  });

  it('answers every random request definitely with a webhook token configured, admitting only with the token', async () => {
    await fc.assert(
      fc.asyncProperty(event, async (input) => {
        const status = await expectDefiniteAnswer(tokened, input);
        if (status === 200 && input.event.rawPath.startsWith('/validate')) {
          expect(input.event.rawPath.replace(/\/$/, '')).toBe(`/validate/${TOKEN}`);
        }
      }),
      params,
    );
  });

  describe('with bodies around the size limit', () => {
    const limit = 1024;
    let small: Gate;
    beforeAll(async () => {
      small = webhookUnderTest({ policy: await fuzzPolicy(), maxBodyBytes: limit });
    });

    it('refuses exactly the bodies over the limit with 413, counting bytes, not characters', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: limit - 8, max: limit + 8 }),
          fc.constantFrom('a', 'é', '💥', '{'),
          fc.boolean(),
          async (length, unit, base64) => {
            // Whole characters only: a cut multi-byte character would be re-encoded as three bytes.
            const text = Array.from(unit.repeat(length)).reduce(
              (acc, char) => (Buffer.byteLength(acc + char) <= length ? acc + char : acc),
              '',
            );
            const bytes = Buffer.from(text, 'utf8');
            const result = await small.handler(
              { ...validateEvent(), body: base64 ? bytes.toString('base64') : text, isBase64Encoded: base64 },
              localLambdaContext(30_000),
            );
            expect(result.statusCode === 413).toBe(bytes.length > limit);
          },
        ),
        fuzzParams(60),
      );
    });

    it.each([false, true])(
      'refuses a body one byte over the real limit with 413 before parsing it (base64: %s)',
      async (base64) => {
        // Not JSON: a parser that ran first would answer 400.
        const bytes = Buffer.alloc(MAX_BODY_BYTES + 1, 0x7b);
        const result = await open.handler(
          {
            ...validateEvent(),
            body: base64 ? bytes.toString('base64') : bytes.toString('utf8'),
            isBase64Encoded: base64,
          },
          localLambdaContext(30_000),
        );
        expect(result.statusCode).toBe(413);
        expect(JSON.parse(result.body ?? '')).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
      },
    );

    it('parses a body of exactly the limit (and refuses it as JSON with 400)', async () => {
      const result = await open.handler(
        { ...validateEvent(), body: '{'.repeat(MAX_BODY_BYTES) },
        localLambdaContext(30_000),
      );
      expect(result.statusCode).toBe(400);
    });

    it('keeps no large body alive across many large requests (a coarse heap check after forced collections)', async () => {
      const collect = forcedGc();
      const pod = JSON.parse(fixtureTexts.find((text) => text.includes('"kind": "Pod"')) ?? fixtureTexts[0]!);
      // An admission just under the limit: a pod whose annotation fills it, answered with a decision.
      pod.request.object.metadata.annotations = { filler: 'x'.repeat(MAX_BODY_BYTES - 8 * 1024) };
      const bigAdmission = JSON.stringify(pod);
      const bodies = [bigAdmission, '{'.repeat(MAX_BODY_BYTES), '{'.repeat(MAX_BODY_BYTES + 1)];
      const invoke = async (body: string) =>
        (await captureLambdaOutput(() => open.handler({ ...validateEvent(), body }, localLambdaContext(30_000)))).result
          .statusCode;

      expect(await Promise.all(bodies.map(invoke))).toEqual([200, 400, 413]); // warm-up, and the three paths
      collect();
      const before = process.memoryUsage().heapUsed;
      for (let round = 0; round < 10; round++) for (const body of bodies) await invoke(body);
      collect();
      const grownMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
      // 30 requests of about 3 MiB each went through (90 MiB, far more as UTF-16 strings): keeping any would show.
      expect(grownMiB).toBeLessThan(16);
    });
  });
});

/** `global.gc`, made available at run time (jest's workers do not start with --expose-gc). */
function forcedGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

/** A POST /validate event without a body. */
function validateEvent(): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/validate',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'fuzz',
      domainName: 'abc.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abc',
      http: { method: 'POST', path: '/validate', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: '' },
      requestId: 'fuzz',
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
}
