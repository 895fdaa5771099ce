import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BUNDLE_INIT_MAX_BYTES, BUNDLE_MAX_BYTES } from '../harness/bundle-limits';
import { startFakeServer } from '../harness/fake-server';
import { buildLambdaTask, inputsOf, invokeLambda, type LambdaTask } from '../harness/lambda-bundle';
import { fixture, type ReviewBody, urlEvent } from './events';

const TOKEN = 'bundle-test-token-0123456789';
const ALLOW_DOCKER_HUB = 'rules:\n  - match: ["docker.io/**"]\n    action: allow\n';

let task: LambdaTask;

const invokeBundle = (env: Record<string, string>, events: APIGatewayProxyEventV2[]) => invokeLambda(task, env, events);

const review = (result: APIGatewayProxyStructuredResultV2 | undefined) =>
  JSON.parse(result?.body ?? 'null') as ReviewBody;

beforeAll(async () => {
  // The real build script, into a private folder (other tests may build dist/ at the same time).
  task = await buildLambdaTask();
}, 180_000);

afterAll(() => task?.remove());

describe('the bundled Lambda (esbuild output, as deployed)', () => {
  /** Sources of the given packages or folders among `files` (repository-relative paths from the metafile). */
  const from = (files: readonly string[], ...parts: string[]) =>
    files.filter((file) => parts.some((part) => file.includes(`node_modules/${part}/`) || file.startsWith(part)));

  it('loads at init only what every admission needs: no Notation verifier, timestamp, COSE or YAML library', () => {
    const atInit = inputsOf(task, task.report.initOutputs);
    expect(atInit).toContain('functions/webhook.ts');
    // The DynamoDB client loads at init on purpose (functions/webhook.ts); the others on first use.
    expect(from(atInit, '@aws-sdk/client-dynamodb').length).toBeGreaterThan(0);
    expect(
      from(
        atInit,
        'pkijs',
        'asn1js',
        'cborg',
        'yaml',
        '@aws-sdk/client-ecr',
        '@aws-sdk/client-signer',
        'shared/notation/x509',
      ),
    ).toEqual([]);
    expect(atInit).not.toContain('shared/notation/create-verifier.ts');
    expect(atInit).not.toContain('shared/notation/settings.ts');
    // ...which are in the bundle all the same, in the chunks it imports when a policy first needs them.
    const all = inputsOf(task, Object.keys(task.report.metafile.outputs));
    expect(all).toContain('shared/notation/create-verifier.ts');
    expect(from(all, 'pkijs', 'cborg', '@aws-sdk/client-ecr', '@aws-sdk/client-signer').length).toBeGreaterThan(0);
  });

  it('stays under its size bounds, at init and in all', () => {
    expect(task.report.initBytes).toBeLessThanOrEqual(BUNDLE_INIT_MAX_BYTES);
    expect(task.report.bytes).toBeLessThanOrEqual(BUNDLE_MAX_BYTES);
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

  describe('with the token in Secrets Manager (its JSON 1.1 API on a fake endpoint, through the bundled client)', () => {
    const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:WebhookToken-AbCdEf';
    const stages: string[] = [];
    let answers: Awaited<ReturnType<typeof invokeBundle>>;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const aws = await startFakeServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => {
          body += chunk;
        });
        req.on('end', () => {
          const { SecretId, VersionStage } = JSON.parse(body) as { SecretId: string; VersionStage: string };
          stages.push(`${req.headers['x-amz-target']} ${SecretId} ${VersionStage}`);
          if (VersionStage === 'AWSCURRENT') {
            // Rotated a minute ago: inside the overlap, so the previous version is asked for too.
            const CreatedDate = Math.floor(Date.now() / 1000) - 60;
            res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
            res.end(JSON.stringify({ ARN: SECRET_ARN, SecretString: TOKEN, VersionId: 'v2', CreatedDate }));
          } else {
            // No AWSPREVIOUS (the SDK's error name, which the reader maps to "none", comes from the bundled client).
            res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
            res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'no such version' }));
          }
        });
      });
      close = aws.close;
      answers = await invokeBundle(
        {
          POLICY: ALLOW_DOCKER_HUB,
          WEBHOOK_TOKEN_SECRET_ARN: SECRET_ARN,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
        },
        [
          urlEvent('POST', `/validate/${TOKEN}`, fixture('pod-create.json')),
          urlEvent('POST', '/validate/wrong-token-0123456789', fixture('pod-create.json')),
        ],
      );
    }, 60_000);
    afterAll(() => close?.());

    it('reads the current version of the secret, and the previous one within the rotation overlap', () => {
      expect([...new Set(stages)].sort()).toEqual([
        `secretsmanager.GetSecretValue ${SECRET_ARN} AWSCURRENT`,
        `secretsmanager.GetSecretValue ${SECRET_ARN} AWSPREVIOUS`,
      ]);
    });

    it('answers the path with the secret token and refuses another token with a 403', () => {
      expect(answers.results[0]?.statusCode).toBe(200);
      expect(review(answers.results[0]).response.allowed).toBe(true);
      expect(answers.results[1]?.statusCode).toBe(403);
      expect(answers.externals).toEqual({});
    });
  });
});
