import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_SETTINGS, readSettings } from '../../infra/settings';
import { InvalidInputError } from '../../shared/errors';

const fromContext = (values: Record<string, unknown>) => readSettings((key) => values[key]);

describe('deploy settings from CDK context', () => {
  it('default to a fail-closed webhook capped at 50 concurrent executions', () => {
    expect(fromContext({})).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toMatchObject({ failurePolicy: 'Fail', reservedConcurrency: 50, policyFile: undefined });
  });

  it('take -c strings as well as cdk.json values', () => {
    expect(
      fromContext({
        policy: './policy.yaml',
        reservedConcurrency: '20',
        excludedNamespaces: 'monitoring, istio-system',
        logRetentionDays: '30',
        failurePolicy: 'Ignore',
        denialAlarmThreshold: 3,
        stackName: 'NotaryGateStaging',
      }),
    ).toMatchObject({
      policyFile: './policy.yaml',
      reservedConcurrency: 20,
      excludedNamespaces: ['monitoring', 'istio-system'],
      logRetention: RetentionDays.ONE_MONTH,
      failurePolicy: 'Ignore',
      denialAlarmThreshold: 3,
      stackName: 'NotaryGateStaging',
    });
    expect(fromContext({ excludedNamespaces: ['a', 'b'] }).excludedNamespaces).toEqual(['a', 'b']);
  });

  it('turn the mutating webhook on by default, off with mutate=false (a -c string or a cdk.json boolean)', () => {
    expect(DEFAULT_SETTINGS.mutate).toBe(true);
    expect(fromContext({ mutate: 'false' }).mutate).toBe(false);
    expect(fromContext({ mutate: false }).mutate).toBe(false);
    expect(fromContext({ mutate: 'true' }).mutate).toBe(true);
    expect(() => fromContext({ mutate: 'no' })).toThrow(/^context mutate:/);
  });

  it('turn break-glass off by default, on with breakGlass=true', () => {
    expect(DEFAULT_SETTINGS.breakGlass).toBe(false);
    expect(fromContext({ breakGlass: 'true' }).breakGlass).toBe(true);
    expect(fromContext({ breakGlass: true }).breakGlass).toBe(true);
    expect(() => fromContext({ breakGlass: 'yes' })).toThrow(/^context breakGlass:/);
  });

  it('set the no-admissions window in minutes, or leave that alarm out with none', () => {
    expect(DEFAULT_SETTINGS.alarms).toEqual({});
    expect(fromContext({ noAdmissionsAlarmMinutes: '240' }).alarms.noAdmissionsFor).toEqual(Duration.minutes(240));
    expect(fromContext({ noAdmissionsAlarmMinutes: 'none' }).alarms.noAdmissionsFor).toBe(false);
    expect(() => fromContext({ noAdmissionsAlarmMinutes: '0' })).toThrow(/^context noAdmissionsAlarmMinutes:/);
  });

  it('leave concurrency uncapped with reservedConcurrency=none', () => {
    expect(fromContext({ reservedConcurrency: 'none' }).reservedConcurrency).toBeUndefined();
  });

  it.each([
    [{ reservedConcurrency: '0' }, 'reservedConcurrency'],
    [{ failurePolicy: 'fail' }, 'failurePolicy'],
    [{ logRetentionDays: '31' }, 'logRetentionDays'],
    [{ stackName: 'has space' }, 'stackName'],
    [{ alarmTopicArn: 'my-topic' }, 'alarmTopicArn'],
  ])('refuse %j naming the key', (values, key) => {
    expect(() => fromContext(values)).toThrow(InvalidInputError);
    expect(() => fromContext(values)).toThrow(new RegExp(`^context ${key}:`));
  });
});
