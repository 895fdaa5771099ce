/**
 * Notary credentials from Secrets Manager, end to end: a real notary-server that wants a pull token, a token
 * endpoint that wants Basic credentials, and the webhook handler with the runtime built from the environment as the
 * Lambda builds it, reading `auth.secretArn` (and the webhook token) through a fake Secrets Manager, the one AWS
 * boundary here. The CLI half runs the real `check` without AWS credentials.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createWebhookHandler } from '../../../functions/app';
import { runtimeFromEnv } from '../../../shared/runtime/from-env';
import { NOTARY_CREDENTIALS_CACHE_SECONDS, type SecretReader } from '../../../shared/runtime/secrets';
import { context, fixture, type ReviewBody, urlEvent } from '../../functions/events';
import { describeWithNotary } from '../../harness/availability';
import { type NotaryHarness, startNotary } from '../../harness/notary-harness';
import { writePolicyFolder } from '../../harness/policy-folder';
import { recordingTelemetry } from '../decision/fakes';

const ROOT = path.join(__dirname, '..', '..', '..');
const APP = 'registry.example.com/team/app';
const SIGNED_HEX = 'c'.repeat(64);
const CREDENTIALS = { username: 'robot', password: 'pull-only-7f3a' };
const NOTARY_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-pull-AbCdEf';
const TOKEN_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-gate-token-XyZ012';
const WEBHOOK_TOKEN = 'webhook-token-0123456789abcdef';

function podReview(image: string): string {
  const review = JSON.parse(fixture('pod-create.json'));
  review.request.object.spec.containers = [{ name: 'app', image }];
  review.request.object.spec.initContainers = [];
  return JSON.stringify(review);
}

/** Secrets Manager as the runtime sees it: values by ARN, and a record of every read. */
function fakeSecretsManager(values: Record<string, string>) {
  const reads: { arn: string; maxAge: number }[] = [];
  const readSecret: SecretReader = async (arn, options) => {
    reads.push({ arn, maxAge: options.maxAge });
    const value = values[arn];
    if (value === undefined) {
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: 'ResourceNotFoundException',
      });
    }
    return value;
  };
  return { readSecret, reads };
}

describeWithNotary('Notary credentials from Secrets Manager', () => {
  let notary: NotaryHarness;
  let dir: string;
  let policyFile: string;

  beforeAll(async () => {
    notary = await startNotary({ tokenAuth: { basicAuth: CREDENTIALS } });
    await notary.seed(APP, { v1: SIGNED_HEX });
    ({ dir, policyFile } = await writePolicyFolder(
      notary,
      [{ gun: APP, notaryLines: [`auth: { secretArn: "${NOTARY_SECRET_ARN}" }`] }],
      'notary-gate-credentials-',
    ));
  }, 180_000);

  afterAll(async () => {
    await notary?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The Lambda's handler, its runtime built from the environment on the first request (the cold start). */
  function lambda(secrets: Record<string, string>) {
    const { readSecret, reads } = fakeSecretsManager({ [TOKEN_SECRET_ARN]: WEBHOOK_TOKEN, ...secrets });
    const { telemetry, recorded } = recordingTelemetry();
    const env = { POLICY_FILE: policyFile, WEBHOOK_TOKEN_SECRET_ARN: TOKEN_SECRET_ARN };
    // The same telemetry as fallback, as the Lambda entry passes it: a failed cold start is logged there.
    const handler = createWebhookHandler(() => runtimeFromEnv({ env, baseDir: dir, telemetry, readSecret }), {
      telemetry,
    });
    const admit = async (image: string) => {
      const result = await handler(urlEvent('POST', `/validate/${WEBHOOK_TOKEN}`, podReview(image)), context());
      return { status: result.statusCode, review: JSON.parse(result.body ?? '{}') as ReviewBody };
    };
    return { admit, reads, recorded };
  }

  describe('when the secret holds the pull credentials', () => {
    it('gets a pull token with them and admits the signed digest', async () => {
      const before = notary.token?.stats.withBasicAuth ?? 0;
      const { admit } = lambda({ [NOTARY_SECRET_ARN]: JSON.stringify(CREDENTIALS) });
      const { status, review } = await admit(`${APP}@sha256:${SIGNED_HEX}`);
      expect(status).toBe(200);
      expect(review.response).toMatchObject({ allowed: true });
      expect(notary.token?.stats.withBasicAuth).toBeGreaterThan(before);
    }, 60_000);

    it('reads the credentials secret once, at cold start, not on every admission', async () => {
      const { admit, reads } = lambda({ [NOTARY_SECRET_ARN]: JSON.stringify(CREDENTIALS) });
      await admit(`${APP}@sha256:${SIGNED_HEX}`);
      await admit(`${APP}@sha256:${SIGNED_HEX}`);
      expect(reads.filter((read) => read.arn === NOTARY_SECRET_ARN)).toEqual([
        { arn: NOTARY_SECRET_ARN, maxAge: NOTARY_CREDENTIALS_CACHE_SECONDS },
      ]);
    }, 60_000);
  });

  describe('when the secret holds credentials the token endpoint refuses', () => {
    it('denies with NOTARY_ERROR naming notary.auth, without the password', async () => {
      const wrong = { username: 'robot', password: 'expired-password' };
      const { admit, recorded } = lambda({ [NOTARY_SECRET_ARN]: JSON.stringify(wrong) });
      const { review } = await admit(`${APP}@sha256:${SIGNED_HEX}`);
      expect(review.response.allowed).toBe(false);
      expect(review.response.status?.message).toContain('NOTARY_ERROR');
      expect(review.response.status?.message).toContain('notary.auth');
      expect(JSON.stringify([review, recorded])).not.toContain(wrong.password);
    }, 60_000);
  });

  describe('when the secret is missing', () => {
    it('denies (fail closed) without details and logs the rule and ARN, retrying the load on the next request', async () => {
      const { admit, recorded, reads } = lambda({});
      const first = await admit(`${APP}@sha256:${SIGNED_HEX}`);
      expect(first.review.response.allowed).toBe(false);
      expect(first.review.response.status?.message).toContain(
        "notary-gate's configuration is invalid (INVALID_POLICY)",
      );
      expect(JSON.stringify(first.review)).not.toContain(NOTARY_SECRET_ARN);
      expect(JSON.stringify(recorded.errors)).toContain(
        `rules[0].notary.auth.secretArn: cannot read the secret ${NOTARY_SECRET_ARN}: ResourceNotFoundException`,
      );
      await admit(`${APP}@sha256:${SIGNED_HEX}`);
      expect(reads.filter((read) => read.arn === NOTARY_SECRET_ARN)).toHaveLength(2);
    }, 60_000);
  });

  describe('check --policy without AWS credentials', () => {
    it('exits 2 with one line naming the rule and why the secret could not be read', async () => {
      const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [path.join(ROOT, 'bin', 'notary-gate.js'), 'check', '--policy', policyFile, `${APP}@sha256:${SIGNED_HEX}`],
          {
            cwd: dir,
            timeout: 60_000,
            // No credentials anywhere the SDK looks (env, files, instance metadata): deterministic on any machine.
            env: {
              PATH: process.env.PATH,
              HOME: dir,
              AWS_CONFIG_FILE: path.join(dir, 'no-config'),
              AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
              AWS_EC2_METADATA_DISABLED: 'true',
            },
          },
          (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
        );
      });
      expect(code).toBe(2);
      expect(stderr).toMatch(
        /notary-gate: INVALID_POLICY: .*rules\[0\]\.notary\.auth\.secretArn: cannot read the secret arn:aws:secretsmanager:\S+: CredentialsProviderError/,
      );
    }, 60_000);
  });
});
