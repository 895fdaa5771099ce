import type { SecretStage, SecretVersion } from '../../../shared/runtime/secret-versions';
import {
  DEFAULT_TOKEN_OVERLAP_SECONDS,
  TOKEN_CACHE_SECONDS,
  webhookTokenFromEnv,
} from '../../../shared/runtime/webhook-token';

const TOKEN = 'a-webhook-token-0123456789';
const OLD = 'the-old-webhook-token-0123456789';

describe('webhook token from the environment', () => {
  it('is absent when neither variable is set', async () => {
    await expect(webhookTokenFromEnv({})()).resolves.toBeUndefined();
  });

  it('reads WEBHOOK_TOKEN as is (no previous token: a plain token has no rotation)', async () => {
    await expect(webhookTokenFromEnv({ WEBHOOK_TOKEN: TOKEN })()).resolves.toEqual({ current: TOKEN });
  });

  it('refuses at once a token that cannot be a safe URL path segment', () => {
    expect(() => webhookTokenFromEnv({ WEBHOOK_TOKEN: 'short' })).toThrow(/16-256 characters/);
    expect(() => webhookTokenFromEnv({ WEBHOOK_TOKEN: `${TOKEN}/x` })).toThrow(/path segment/);
  });

  describe('from WEBHOOK_TOKEN_SECRET_ARN (AWSCURRENT, and AWSPREVIOUS during the overlap)', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-gate-token';
    const rotatedAt = Date.parse('2026-12-01T10:00:00Z');

    /** A secret rotated at `rotatedAt` from OLD to TOKEN, and a clock the test moves. */
    function rotatedSecret(versions: Partial<Record<SecretStage, SecretVersion>> = {}) {
      const calls: SecretStage[] = [];
      const clock = { now: rotatedAt + 60_000 };
      const stages: Partial<Record<SecretStage, SecretVersion>> = {
        AWSCURRENT: { value: `${TOKEN}\n`, createdDate: new Date(rotatedAt) },
        AWSPREVIOUS: { value: OLD, createdDate: new Date(rotatedAt - 86_400_000) },
        ...versions,
      };
      const reader = async (secretArn: string, stage: SecretStage) => {
        expect(secretArn).toBe(arn);
        calls.push(stage);
        return stages[stage];
      };
      return { calls, clock, stages, reader };
    }

    it('accepts the previous token while the current version is younger than the overlap', async () => {
      const { reader, clock, calls } = rotatedSecret();
      const tokens = webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, reader, () => clock.now);
      await expect(tokens()).resolves.toEqual({ current: TOKEN, previous: OLD });
      expect(calls).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    });

    it('refuses the previous token from the end of the overlap on (measured from the version, not the process)', async () => {
      const { reader, clock } = rotatedSecret();
      clock.now = rotatedAt + DEFAULT_TOKEN_OVERLAP_SECONDS * 1000 - 1;
      await expect(webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, reader, () => clock.now)()).resolves.toEqual({
        current: TOKEN,
        previous: OLD,
      });
      clock.now = rotatedAt + DEFAULT_TOKEN_OVERLAP_SECONDS * 1000;
      await expect(webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, reader, () => clock.now)()).resolves.toEqual({
        current: TOKEN,
      });
    });

    it('takes the overlap from WEBHOOK_TOKEN_OVERLAP_SECONDS (0: no overlap) and refuses a bad value', async () => {
      const { reader, clock, calls } = rotatedSecret();
      const env = { WEBHOOK_TOKEN_SECRET_ARN: arn, WEBHOOK_TOKEN_OVERLAP_SECONDS: '0' };
      await expect(webhookTokenFromEnv(env, reader, () => clock.now)()).resolves.toEqual({ current: TOKEN });
      expect(calls).toEqual(['AWSCURRENT']);
      for (const bad of ['-1', '1.5', 'an hour', '604801'])
        expect(() => webhookTokenFromEnv({ ...env, WEBHOOK_TOKEN_OVERLAP_SECONDS: bad }, reader)).toThrow(
          /WEBHOOK_TOKEN_OVERLAP_SECONDS must be a whole number of seconds from 0 to 604800/,
        );
    });

    it('accepts only the current token when there is no previous version, no creation date, or it cannot be read', async () => {
      const cases = [
        rotatedSecret({ AWSPREVIOUS: undefined }).reader,
        rotatedSecret({ AWSCURRENT: { value: TOKEN } }).reader,
        async (_arn: string, stage: SecretStage) => {
          if (stage === 'AWSPREVIOUS') throw new Error('AccessDenied');
          return { value: TOKEN, createdDate: new Date(rotatedAt) };
        },
      ];
      for (const reader of cases)
        await expect(
          webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, reader, () => rotatedAt)(),
        ).resolves.toEqual({
          current: TOKEN,
        });
    });

    it('reuses each stage for TOKEN_CACHE_SECONDS, then reads it again (a rotation takes effect then)', async () => {
      const { reader, clock, calls, stages } = rotatedSecret();
      const tokens = webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, reader, () => clock.now);
      await tokens();
      clock.now += TOKEN_CACHE_SECONDS * 1000 - 1;
      await expect(tokens()).resolves.toEqual({ current: TOKEN, previous: OLD });
      expect(calls).toHaveLength(2);
      const NEXT = 'the-next-webhook-token-0123456789';
      stages.AWSCURRENT = { value: NEXT, createdDate: new Date(clock.now) };
      stages.AWSPREVIOUS = { value: TOKEN, createdDate: new Date(rotatedAt) };
      clock.now += 1;
      await expect(tokens()).resolves.toEqual({ current: NEXT, previous: TOKEN });
      expect(calls).toHaveLength(4);
    });

    it('fails with a clear reason when the secret is not a string, or has no current value', async () => {
      const notString = rotatedSecret({ AWSCURRENT: { value: { token: TOKEN } } }).reader;
      await expect(webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, notString)()).rejects.toThrow(
        /no string value/,
      );
      const none = rotatedSecret({ AWSCURRENT: undefined }).reader;
      await expect(webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, none)()).rejects.toThrow(/no current value/);
    });

    it('names the setting when Secrets Manager cannot be read, and never the token', async () => {
      const down = async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      };
      await expect(webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, down)()).rejects.toThrow(
        /^cannot read the webhook token from Secrets Manager \(WEBHOOK_TOKEN_SECRET_ARN\): .*ECONNREFUSED/,
      );
    });
  });
});
