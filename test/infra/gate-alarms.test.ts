import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  DEFAULT_GATE_ALARMS,
  GATE_LOG_METRICS,
  type GateAlarmProps,
  GateAlarms,
  ORIGIN_METRIC_FORMATS,
} from '../../infra/gate-alarms';
import { NotaryGateStack, type NotaryGateStackProps } from '../../infra/stack';

const cdkContext = JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context;
const entry = join(__dirname, 'fixtures/handler.ts');

// biome-ignore lint/suspicious/noExplicitAny: synthesized template JSON
type Props = Record<string, any>;

function synth(props: Omit<NotaryGateStackProps, 'entry'> = {}, id = 'Alarms') {
  const app = new App({ context: cdkContext });
  const stack = new NotaryGateStack(app, id, { entry, ...props });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Props }>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
  const [functionId] = ofType('AWS::Lambda::Function')[0]!;
  return { app, stack, template, alarms, functionId, ofType };
}

const byDescription = (alarms: Props[], text: string) =>
  alarms.filter((a) => String(a.AlarmDescription).includes(text));

describe('the alarms around the decision, with their defaults', () => {
  const { app, stack, alarms, functionId, ofType } = synth();
  const filters = ofType('AWS::Logs::MetricFilter').map(([, r]) => r.Properties);
  const filterOf = (metricName: string) =>
    filters.find((f) => f.MetricTransformations[0].MetricName === metricName)?.MetricTransformations[0];

  it("count refused tokens from the webhook's token-rejected line, per function, and alarm at 3 in 5 minutes", () => {
    const filter = filters.find((f) => f.MetricTransformations[0].MetricName === GATE_LOG_METRICS.tokenRejections);
    expect(filter?.FilterPattern).toBe('{ $.event = "token-rejected" }');
    expect(filter?.MetricTransformations[0].Dimensions).toEqual([{ Key: 'FunctionName', Value: '$.function_name' }]);
    const [alarm] = alarms.filter((a) => a.MetricName === GATE_LOG_METRICS.tokenRejections);
    expect(alarm).toMatchObject({
      Threshold: DEFAULT_GATE_ALARMS.tokenRejections,
      Period: 300,
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
    });
  });

  it('watch the function URL 4xx answers (AWS/Lambda Url4xxCount of this function)', () => {
    const [alarm] = alarms.filter((a) => a.MetricName === 'Url4xxCount');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      Threshold: DEFAULT_GATE_ALARMS.urlClientErrors,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
    });
  });

  it('watch OriginErrors per format with a Metrics Insights query (its code and status dimensions unknown at synth)', () => {
    const origin = alarms.filter((a) => JSON.stringify(a.Metrics ?? '').includes('OriginErrors'));
    expect(origin.map((a) => a.Metrics[0].Expression).sort()).toEqual(
      ORIGIN_METRIC_FORMATS.map((f) => `SELECT SUM(OriginErrors) FROM "NotaryGate" WHERE format = '${f}'`).sort(),
    );
    expect(ORIGIN_METRIC_FORMATS).toEqual(['notary-v1', 'registry']);
    for (const alarm of origin) {
      expect(alarm).toMatchObject({ Threshold: 5, TreatMissingData: 'notBreaching' });
      expect(alarm.Metrics[0]).toMatchObject({ Period: 300, ReturnData: true });
    }
  });

  it('raise "no admissions" after an hour of 5-minute periods without a /validate record, missing data breaching', () => {
    const filter = filterOf(GATE_LOG_METRICS.validations);
    expect(filter.DefaultValue).toBeUndefined();
    const [alarm] = alarms.filter((a) => a.MetricName === GATE_LOG_METRICS.validations);
    expect(alarm).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 12,
      DatapointsToAlarm: 12,
      Period: 300,
      TreatMissingData: 'breaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
    });
    expect(
      filters.find((f) => f.MetricTransformations[0].MetricName === GATE_LOG_METRICS.validations)?.FilterPattern,
    ).toBe('{ $.event = "admission" }');
  });

  it('have no break-glass alarm while break-glass is off', () => {
    expect(alarms.filter((a) => a.MetricName === GATE_LOG_METRICS.breakGlass)).toEqual([]);
  });

  it('each say what to do', () => {
    for (const alarm of alarms) expect(String(alarm.AlarmDescription).length).toBeGreaterThan(40);
  });

  it('leave cdk-nag with nothing to report', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });
});

describe('the alarms with props', () => {
  it('are left out one by one with false', () => {
    const { alarms } = synth(
      { alarms: { tokenRejections: false, urlClientErrors: false, originErrors: false, noAdmissionsFor: false } },
      'AlarmsOff',
    );
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(['DeniedAdmissions', 'Duration', 'Errors', 'Throttles']);
  });

  /** The GateAlarms construct alone, on a function looked up by name: no bundling, so each case is milliseconds. */
  function gateAlarms(props: GateAlarmProps) {
    const stack = new Stack(new App(), 'Bare');
    const gate = new GateAlarms(stack, 'Gate', {
      ...props,
      function: LambdaFunction.fromFunctionName(stack, 'Fn', 'notary-gate-webhook'),
      logGroup: new LogGroup(stack, 'Logs'),
      breakGlass: false,
    });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties as Props,
    );
    return {
      gate,
      alarms,
      periodsWithoutAdmissions: alarms.find((a) => a.MetricName === GATE_LOG_METRICS.validations)?.EvaluationPeriods,
    };
  }

  it('take the thresholds and window given', () => {
    const { alarms, periodsWithoutAdmissions } = gateAlarms({
      tokenRejections: 1,
      urlClientErrors: 50,
      originErrors: 2,
      noAdmissionsFor: Duration.hours(6),
    });
    expect(alarms.find((a) => a.MetricName === GATE_LOG_METRICS.tokenRejections)?.Threshold).toBe(1);
    expect(alarms.find((a) => a.MetricName === 'Url4xxCount')?.Threshold).toBe(50);
    expect(byDescription(alarms, 'signature sources').map((a) => a.Threshold)).toEqual([2, 2]);
    expect(periodsWithoutAdmissions).toBe(72);
  });

  it.each([
    [Duration.minutes(7), /whole number of 5 minutes/],
    [Duration.minutes(0), /from 5 to 1440/],
    [Duration.minutes(1445), /from 5 to 1440/],
  ])('refuse a no-admissions window of %s', (noAdmissionsFor, message) => {
    expect(() => gateAlarms({ noAdmissionsFor })).toThrow(message);
  });

  it('accept the bounds of the no-admissions window, 5 minutes and 1 day', () => {
    expect(gateAlarms({ noAdmissionsFor: Duration.minutes(5) }).periodsWithoutAdmissions).toBe(1);
    expect(gateAlarms({ noAdmissionsFor: Duration.days(1) }).periodsWithoutAdmissions).toBe(288);
  });

  it.each([0, 2.5, -1])('refuse a threshold of %s', (tokenRejections) => {
    expect(() => gateAlarms({ tokenRejections })).toThrow(/whole number from 1/);
  });

  it('accept a threshold of 1, the lowest', () => {
    expect(() => gateAlarms({ tokenRejections: 1, urlClientErrors: 1, originErrors: 1 })).not.toThrow();
  });

  describe('with break-glass on and an SNS topic', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:gate';
    const { alarms, ofType, template } = synth({ alarmTopicArn: topic, breakGlass: true }, 'Notify');

    it('alarm on the first object the break-glass label exempted, from the mutating webhook records', () => {
      const filter = ofType('AWS::Logs::MetricFilter')
        .map(([, r]) => r.Properties)
        .find((f) => f.MetricTransformations[0].MetricName === GATE_LOG_METRICS.breakGlass);
      expect(filter?.FilterPattern).toBe('{ ($.event = "mutation") && ($.breakGlassLabel IS TRUE) }');
      expect(alarms.find((a) => a.MetricName === GATE_LOG_METRICS.breakGlass)).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it('write the objectSelector into the validating webhook configuration output only', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(JSON.stringify(outputs.WebhookConfiguration?.Value)).toContain('notary-gate.io/break-glass');
      expect(JSON.stringify(outputs.MutatingWebhookConfiguration?.Value)).not.toContain('break-glass');
    });

    it('notify the topic from every alarm, the new ones too', () => {
      expect(alarms.length).toBe(4 + 1 + 1 + ORIGIN_METRIC_FORMATS.length + 1 + 1);
      for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topic]);
    });
  });
});
