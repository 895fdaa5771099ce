import { NOTARY_CREDENTIALS_CACHE_SECONDS, policySecretReader, regionOf } from '../../../shared/runtime/secrets';

const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:notary-pull-AbCdEf';

describe('the runtime secret reader', () => {
  describe('for the policy loader (policySecretReader)', () => {
    it('passes the ARN and the credentials cache age to Secrets Manager, and returns the string value', async () => {
      const calls: unknown[] = [];
      const read = policySecretReader(async (...args) => {
        calls.push(args);
        return '{"username":"u","password":"p"}';
      });
      await expect(read(ARN)).resolves.toBe('{"username":"u","password":"p"}');
      expect(calls).toEqual([[ARN, { maxAge: NOTARY_CREDENTIALS_CACHE_SECONDS }]]);
    });

    it('refuses a binary secret, saying to store the JSON as the secret string', async () => {
      const read = policySecretReader(async () => new Uint8Array([123, 125]));
      await expect(read(ARN)).rejects.toThrow('it is a binary secret; store the JSON as the secret string');
    });

    it('refuses a secret without a value', async () => {
      await expect(policySecretReader(async () => undefined)(ARN)).rejects.toThrow('it has no value');
    });

    it('lets the failure of Secrets Manager through, for the loader to name the rule', async () => {
      const denied = Object.assign(new Error('not authorized to perform: secretsmanager:GetSecretValue'), {
        name: 'AccessDeniedException',
      });
      await expect(
        policySecretReader(async () => {
          throw denied;
        })(ARN),
      ).rejects.toBe(denied);
    });
  });

  describe('regionOf', () => {
    it('reads the region from a secret ARN, so a secret in another region is read there', () => {
      expect(regionOf(ARN)).toBe('eu-central-1');
      expect(regionOf('arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x-AbCdEf')).toBe('cn-north-1');
    });

    it('leaves the default region for a plain secret name', () => {
      expect(regionOf('notary-gate-token')).toBeUndefined();
      expect(regionOf('arn:aws:ssm:eu-west-1:123456789012:parameter/x')).toBeUndefined();
    });
  });
});
