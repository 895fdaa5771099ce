import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BUNDLE_MAX_BYTES } from '../harness/bundle-limits';
import { buildLambdaTask, invokeLambda, type LambdaTask } from '../harness/lambda-bundle';
import { fixture, type ReviewBody, urlEvent } from './events';

const TOKEN = 'bundle-test-token-0123456789';
const ALLOW_DOCKER_HUB = 'rules:\n  - match: ["docker.io/**"]\n    action: allow\n';

let task: LambdaTask;
let bundle: string;

const invokeBundle = (env: Record<string, string>, events: APIGatewayProxyEventV2[]) => invokeLambda(task, env, events);

const review = (result: APIGatewayProxyStructuredResultV2 | undefined) =>
  JSON.parse(result?.body ?? 'null') as ReviewBody;

beforeAll(async () => {
  // The real build script, into a private folder (other tests may build dist/ at the same time).
  task = await buildLambdaTask();
  bundle = task.bundle;
}, 180_000);

afterAll(() => task?.remove());

describe('the bundled Lambda (esbuild output, as deployed)', () => {
  it('leaves out only AWS SDK v3 clients, which the Lambda Node.js runtime provides, and stays under its size bound', () => {
    const code = readFileSync(bundle, 'utf8');
    // require() at init, import() on first use (esbuild keeps a dynamic import of an external as import()).
    const external = [...code.matchAll(/(?:require|import)\("(@[^"]+|[^".][^"]*)"\)/g)]
      .map((match) => match[1]!)
      .filter((name) => !name.startsWith('node:') && !builtinModules.includes(name));
    expect([...new Set(external)].sort()).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-ecr',
      '@aws-sdk/client-secrets-manager',
      '@aws-sdk/client-signer',
    ]);
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(BUNDLE_MAX_BYTES);
  });

  describe('in enforce mode with an allow rule for Docker Hub and a webhook token', () => {
    let answers: Awaited<ReturnType<typeof invokeBundle>>;
    beforeAll(async () => {
      answers = await invokeBundle({ POLICY: ALLOW_DOCKER_HUB, WEBHOOK_TOKEN: TOKEN }, [
        urlEvent('POST', `/validate/${TOKEN}?timeout=10s`, fixture('pod-create.json')),
        urlEvent('POST', `/validate/${TOKEN}`, fixture('cronjob-create.json'), { base64: true }),
        urlEvent('POST', '/validate/wrong-token-0123456789', fixture('pod-create.json')),
        urlEvent('POST', `/validate/${TOKEN}`, '{"apiVersion":"v1","kind":"Pod"}'),
        urlEvent('POST', `/validate/${TOKEN}`, 'x'.repeat(3 * 1024 * 1024 + 1)),
        urlEvent('PUT', `/validate/${TOKEN}`, '{}'),
        urlEvent('GET', '/nothing-here'),
        urlEvent('GET', '/healthz'),
      ]);
    }, 60_000);

    it('admits a pod whose images the policy allows, with the request uid', () => {
      expect(answers.results[0]?.statusCode).toBe(200);
      expect(review(answers.results[0])).toEqual({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true },
      });
    });

    it('denies the images no rule allows, naming each with its container path', () => {
      const response = review(answers.results[1]).response;
      expect(response.allowed).toBe(false);
      expect(response.status?.code).toBe(403);
      expect(response.status?.message).toContain('"registry.example.com:5000/ops/pg-backup:2024.03": DENIED_BY_RULE');
      expect(response.status?.message).not.toContain('alpine');
    });

    it('refuses a wrong token with 403, a non-AdmissionReview with 400, a huge body with 413', () => {
      expect(answers.results.slice(2, 5).map((r) => r.statusCode)).toEqual([403, 400, 413]);
      expect(JSON.parse(answers.results[3]?.body ?? '{}')).toMatchObject({
        error: 'INVALID_ADMISSION_REVIEW',
        reason: expect.any(String),
      });
    });

    it('answers a wrong method with 405, an unknown path with 404, /healthz with 200', () => {
      expect(answers.results.slice(5).map((r) => r.statusCode)).toEqual([405, 404, 200]);
    });

    it('logs one JSON decision record per admission, without the token', () => {
      const decisions = answers.lines.filter((line) => line.event === 'admission');
      expect(decisions.map((d) => d.decision)).toEqual(['allow', 'deny']);
      expect(decisions[1]).toMatchObject({
        kind: 'CronJob',
        deniedCodes: 'DENIED_BY_RULE',
        service: 'notary-gate',
        function_request_id: 'req-1',
      });
      expect(JSON.stringify(answers.lines)).not.toContain(TOKEN);
    });

    it('publishes EMF metrics in the NotaryGate namespace', () => {
      const emf = answers.lines.filter((line) => line._aws !== undefined);
      const names = emf.flatMap((line) =>
        (
          line._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] }
        ).CloudWatchMetrics.flatMap((m) => m.Metrics.map((metric) => `${m.Namespace}/${metric.Name}`)),
      );
      expect(names).toEqual(
        expect.arrayContaining(['NotaryGate/Admissions', 'NotaryGate/Denials', 'NotaryGate/AdmissionLatency']),
      );
    });
  });

  describe('in audit mode (inline POLICY)', () => {
    it('admits what enforce would deny, with warnings and audit annotations', async () => {
      const { results } = await invokeBundle({ POLICY: 'mode: audit\ndefaultAction: deny\n' }, [
        urlEvent('POST', '/validate', fixture('statefulset-create.json')),
      ]);
      const response = review(results[0]).response;
      expect(response).toMatchObject({ allowed: true, auditAnnotations: { decision: 'audit-deny' } });
      expect(response.warnings).toHaveLength(3);
    }, 60_000);
  });

  describe('with a policy that does not validate', () => {
    // JSON that is not an AdmissionReview was a 500 CONFIG_ERROR here; it is now the 400 the loaded webhook gives
    // the same body (a 5xx is what failurePolicy: Ignore turns into "admit everything").
    it('denies the AdmissionReview (fail closed), logs the field to fix, and answers other JSON 400 with the reason', async () => {
      const { results, lines } = await invokeBundle({ POLICY: 'mode: sometimes\n' }, [
        urlEvent('POST', '/validate', fixture('pod-create.json')),
        urlEvent('POST', '/validate', '{"not":"a review"}'),
        urlEvent('POST', '/mutate', '{"not":"a review"}'),
        urlEvent('POST', '/mutate', fixture('pod-create.json')),
      ]);
      expect(results[0]?.statusCode).toBe(200);
      const review = JSON.parse(results[0]?.body ?? '{}');
      expect(review.response).toMatchObject({ allowed: false, status: { code: 403 } });
      expect(review.response.status.message).toContain('configuration is invalid');

      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'ERROR',
          message: 'configuration error',
          code: 'INVALID_POLICY',
          error: expect.stringContaining('mode'),
        }),
      );
      for (const result of [results[1], results[2]]) {
        expect(result?.statusCode).toBe(400);
        expect(JSON.parse(result?.body ?? '{}')).toEqual({
          error: 'INVALID_ADMISSION_REVIEW',
          reason: 'not a valid AdmissionReview: apiVersion: must be admission.k8s.io/v1 or admission.k8s.io/v1beta1',
        });
      }
      expect(results[3]?.statusCode).toBe(200);
      expect(JSON.parse(results[3]?.body ?? '{}').response).toEqual({
        uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
        allowed: true,
      });
    }, 60_000);
  });
});
