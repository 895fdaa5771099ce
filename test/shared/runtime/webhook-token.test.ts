import { TOKEN_CACHE_SECONDS, webhookTokenFromEnv } from '../../../shared/runtime/webhook-token';

const TOKEN = 'a-webhook-token-0123456789';

describe('webhook token from the environment', () => {
  it('is absent when neither variable is set', async () => {
    await expect(webhookTokenFromEnv({})()).resolves.toBeUndefined();
  });

  it('reads WEBHOOK_TOKEN as is', async () => {
    await expect(webhookTokenFromEnv({ WEBHOOK_TOKEN: TOKEN })()).resolves.toBe(TOKEN);
  });

  it('refuses at once a token that cannot be a safe URL path segment', () => {
    expect(() => webhookTokenFromEnv({ WEBHOOK_TOKEN: 'short' })).toThrow(/16-256 characters/);
    expect(() => webhookTokenFromEnv({ WEBHOOK_TOKEN: `${TOKEN}/x` })).toThrow(/path segment/);
  });

  describe('from WEBHOOK_TOKEN_SECRET_ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-gate-token';

    it('reads the secret through the reader with the cache age, on each call', async () => {
      const calls: unknown[] = [];
      const token = webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, async (...args) => {
        calls.push(args);
        return `${TOKEN}\n`;
      });
      await expect(token()).resolves.toBe(TOKEN);
      expect(calls).toEqual([[arn, { maxAge: TOKEN_CACHE_SECONDS }]]);
    });

    it('fails with a clear reason when the secret is not a string', async () => {
      const token = webhookTokenFromEnv({ WEBHOOK_TOKEN_SECRET_ARN: arn }, async () => ({ token: TOKEN }));
      await expect(token()).rejects.toThrow(/no string value/);
    });
  });
});
