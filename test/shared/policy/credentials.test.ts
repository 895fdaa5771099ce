import { InvalidPolicyError } from '../../../shared/errors';
import { credentialReferences, parseCredentialSecret } from '../../../shared/policy/credentials';
import { loadPolicy, readPolicyDocument } from '../../../shared/policy/load';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-pull-AbCdEf';
const OTHER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/notary-XyZ012';
const PASSWORD = 'pull-only-hunter2';
const SECRET = JSON.stringify({ username: 'robot', password: PASSWORD });

/** A policy with one verify rule per auth block given. */
function policyWith(...auths: string[]): string {
  return [
    'rules:',
    ...auths.map(
      (auth, index) =>
        `  - match: ["r${index}.example.com/**"]\n    notary: { server: "https://n.example", auth: ${auth} }`,
    ),
  ].join('\n');
}

/** The Secrets Manager boundary: a fake that serves these secrets and records what was read. */
function fakeSecrets(values: Record<string, string | Error>) {
  const reads: string[] = [];
  const readSecret = async (arn: string): Promise<string> => {
    reads.push(arn);
    const value = values[arn];
    if (value === undefined) {
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: 'ResourceNotFoundException',
      });
    }
    if (value instanceof Error) throw value;
    return value;
  };
  return { readSecret, reads };
}

async function refusal(text: string, secrets: Record<string, string | Error> = {}): Promise<string> {
  const { readSecret } = fakeSecrets(secrets);
  const error = await loadPolicy({ text, env: {}, readSecret }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InvalidPolicyError);
  return (error as Error).message;
}

describe('Notary credentials in the policy', () => {
  describe('given as auth.secretArn', () => {
    it('reads the secret and resolves the username and password from its JSON', async () => {
      const { readSecret, reads } = fakeSecrets({ [ARN]: SECRET });
      const policy = await loadPolicy({ text: policyWith(`{ secretArn: "${ARN}" }`), readSecret });
      expect(policy.rules[0]?.notary?.auth).toEqual({ username: 'robot', password: PASSWORD });
      expect(reads).toEqual([ARN]);
    });

    it('ignores other keys in the secret, so it may also note the server', async () => {
      const { readSecret } = fakeSecrets({
        [ARN]: JSON.stringify({ server: 'https://n.example', ...JSON.parse(SECRET) }),
      });
      const policy = await loadPolicy({ text: policyWith(`{ secretArn: "${ARN}" }`), readSecret });
      expect(policy.rules[0]?.notary?.auth?.username).toBe('robot');
    });

    it('reads a secret once when several rules share it, and each secret a rule names', async () => {
      const { readSecret, reads } = fakeSecrets({
        [ARN]: SECRET,
        [OTHER_ARN]: JSON.stringify({ username: 'other', password: 'x' }),
      });
      const text = policyWith(`{ secretArn: "${ARN}" }`, `{ secretArn: "${OTHER_ARN}" }`, `{ secretArn: "${ARN}" }`);
      const policy = await loadPolicy({ text, readSecret });
      expect(policy.rules.map((rule) => rule.notary?.auth?.username)).toEqual(['robot', 'other', 'robot']);
      expect([...reads].sort()).toEqual([ARN, OTHER_ARN].sort());
    });

    it('lets one policy mix secrets and environment variables, rule by rule', async () => {
      const { readSecret } = fakeSecrets({ [ARN]: SECRET });
      const text = policyWith(`{ secretArn: "${ARN}" }`, '{ username: ci, passwordEnv: PW }');
      const policy = await loadPolicy({ text, env: { PW: 'from-env' }, readSecret });
      expect(policy.rules[1]?.notary?.auth).toEqual({ username: 'ci', password: 'from-env' });
    });

    it('reads no secret when only validating (cdk synth has no access to it)', async () => {
      const { readSecret, reads } = fakeSecrets({});
      const policy = await loadPolicy({ text: policyWith(`{ secretArn: "${ARN}" }`), readSecret, validateOnly: true });
      expect(policy.rules[0]?.notary?.auth).toBeUndefined();
      expect(reads).toEqual([]);
    });
  });

  describe('when the secret cannot be used', () => {
    it('refuses the policy naming the rule and the ARN when the secret does not exist', async () => {
      const message = await refusal(
        policyWith('{ secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gone-AbCdEf" }'),
      );
      expect(message).toBe(
        'invalid policy (inline policy): rules[0].notary.auth.secretArn: cannot read the secret ' +
          "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gone-AbCdEf: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
      );
    });

    it('names the cause the AWS boundary wrapped, e.g. missing credentials', async () => {
      const wrapped = new Error('Could not load credentials from any providers', {
        cause: Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      });
      wrapped.name = 'GetParameterError';
      const message = await refusal(policyWith(`{ secretArn: "${ARN}" }`), { [ARN]: wrapped });
      expect(message).toMatch(
        /rules\[0\]\.notary\.auth\.secretArn: cannot read the secret .*: CredentialsProviderError: Could not load/,
      );
    });

    it.each([
      ['is not JSON', PASSWORD, /is not JSON; it must hold JSON \{"username": "...", "password": "..."\}/],
      ['is a JSON string', JSON.stringify(PASSWORD), /is not a JSON object/],
      ['has no password', JSON.stringify({ username: 'robot', pass: PASSWORD }), /has no "password" string/],
      ['has an empty username', JSON.stringify({ username: '', password: PASSWORD }), /has no "username" string/],
      ['has a non-string password', JSON.stringify({ username: 'robot', password: 42 }), /has no "password" string/],
      [
        'has a colon in the username',
        JSON.stringify({ username: 'a:b', password: PASSWORD }),
        /"username" that must not contain ":"/,
      ],
    ])('refuses a secret that %s, naming the rule but never echoing the value', async (_case, value, expected) => {
      const { readSecret } = fakeSecrets({ [ARN]: value });
      const error = await loadPolicy({
        text: policyWith('{ username: u, passwordEnv: PW }', `{ secretArn: "${ARN}" }`),
        env: { PW: 'x' },
        readSecret,
      }).catch((thrown: Error) => thrown);
      expect(error).toBeInstanceOf(InvalidPolicyError);
      const message = (error as Error).message;
      expect(message).toContain(`rules[1].notary.auth.secretArn: the secret ${ARN} `);
      expect(message).toMatch(expected);
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain('a:b');
    });

    it('refuses a secretArn where no secret reader was given', async () => {
      await expect(loadPolicy({ text: policyWith(`{ secretArn: "${ARN}" }`) })).rejects.toThrow(
        /rules\[0\]\.notary\.auth\.secretArn: secrets cannot be read here/,
      );
    });
  });

  describe('when the auth block is wrong', () => {
    it.each([
      [
        'both forms at once',
        `{ secretArn: "${ARN}", usernameEnv: U, passwordEnv: P }`,
        /rules\[0\]\.notary\.auth\.secretArn: give secretArn alone \(the secret holds username and password\), not with usernameEnv, passwordEnv/,
      ],
      [
        'a secretArn and a plain username',
        `{ secretArn: "${ARN}", username: bot }`,
        /auth\.secretArn: give secretArn alone .*not with username$/,
      ],
      [
        'nothing at all',
        '{}',
        /rules\[0\]\.notary\.auth: give secretArn, or usernameEnv \(or username\) and passwordEnv$/,
      ],
      [
        'a secret name instead of an ARN',
        '{ secretArn: notary-pull }',
        /auth\.secretArn: must be the complete ARN of a Secrets Manager secret, with its 6-character suffix/,
      ],
      [
        'a partial ARN (no suffix)',
        '{ secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:notary-pull" }',
        /auth\.secretArn: must be the complete ARN/,
      ],
      [
        'an ARN of another service',
        '{ secretArn: "arn:aws:ssm:eu-west-1:123456789012:parameter/notary-AbCdEf" }',
        /auth\.secretArn: must be the complete ARN/,
      ],
      [
        'a plain password',
        `{ secretArn: "${ARN}", password: hunter2 }`,
        /auth\.password: plain passwords are not allowed in the policy; .* or a Secrets Manager secret with secretArn/,
      ],
    ])('refuses %s, naming the field', async (_case, auth, expected) => {
      const message = await refusal(policyWith(auth), { [ARN]: SECRET });
      expect(message).toMatch(expected);
      expect(message).not.toContain('hunter2');
    });

    it('refuses a colon in a username from the environment or the policy too', async () => {
      await expect(
        loadPolicy({ text: policyWith('{ usernameEnv: U, passwordEnv: PW }'), env: { U: 'a:b', PW: 'x' } }),
      ).rejects.toThrow(/rules\[0\]\.notary\.auth\.usernameEnv: the username must not contain ":"/);
      await expect(
        loadPolicy({ text: policyWith('{ username: "a:b", passwordEnv: PW }'), env: { PW: 'x' } }),
      ).rejects.toThrow(/rules\[0\]\.notary\.auth\.username: the username must not contain ":"/);
    });
  });

  describe('credentialReferences', () => {
    it('lists each rule with auth, its field and its form, without reading anything', async () => {
      const document = await readPolicyDocument({
        text: policyWith(
          `{ secretArn: "${ARN}" }`,
          '{ usernameEnv: U, passwordEnv: P }',
          '{ username: bot, passwordEnv: P }',
        ),
      });
      expect(credentialReferences(document)).toEqual([
        { field: 'rules[0].notary.auth', kind: 'secret', secretArn: ARN },
        { field: 'rules[1].notary.auth', kind: 'env', envNames: ['U', 'P'] },
        { field: 'rules[2].notary.auth', kind: 'env', envNames: ['P'] },
      ]);
    });
  });

  describe('parseCredentialSecret', () => {
    it('returns the credentials of a well-formed secret', () => {
      expect(parseCredentialSecret(SECRET)).toEqual({ username: 'robot', password: PASSWORD });
    });
  });
});
