import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  LogQueryWidget,
  MathExpression,
  type Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  CfnQueryDefinition,
  FilterPattern,
  type IFilterPattern,
  type ILogGroup,
  MetricFilter,
} from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, WEBHOOK_TIMEOUT_SECONDS } from '../shared/constants';
import { DECISION_LOG } from '../shared/log/fields';
import { DECISION_QUERIES, findDecisionQuery } from '../shared/log/queries';
import { METRIC } from '../shared/observer';
import { type GateAlarmProps, GateAlarms } from './gate-alarms';

/** Metrics derived from the decision log by metric filters (independent of how the runtime emits EMF). */
export const LOG_METRICS = { admissions: 'DecisionsLogged', denials: 'DeniedAdmissions' } as const;
const PERIOD = Duration.minutes(5);
/** p99 latency above this share of the webhook timeout means admissions are close to timing out. */
const SLOW_SHARE_OF_TIMEOUT = 0.8;

export interface DecisionObservabilityProps {
  readonly function: IFunction;
  readonly logGroup: ILogGroup;
  readonly denialAlarmThreshold: number;
  readonly alarmTopicArn?: string;
  /** The alarms around the decision (token refusals, URL 4xx, origin errors, no admissions); see gate-alarms.ts. */
  readonly alarms?: GateAlarmProps;
  /** Break-glass is on: alarm on each object its label exempted. */
  readonly breakGlass?: boolean;
}

/**
 * What an operator reads: the saved Logs Insights queries over the decision log, alarms for the failure modes that
 * matter (errors, throttles, latency near the timeout, a spike of denials, and those of gate-alarms.ts: refused
 * tokens, URL 4xx, origin errors, no admissions, break-glass) and a small dashboard.
 */
export class DecisionObservability extends Construct {
  readonly alarms: Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: DecisionObservabilityProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    for (const query of DECISION_QUERIES) {
      new CfnQueryDefinition(this, `Query-${query.name}`, {
        // A slash makes a folder in the console: all of a stack's queries sit together.
        name: `${stackName}/${query.name}`,
        queryString: query.text,
        logGroupNames: [props.logGroup.logGroupName],
      });
    }

    const isAdmission = FilterPattern.stringValue(`$.${DECISION_LOG.event}`, '=', DECISION_LOG.eventValue);
    const admissions = this.countFilter('Admissions', props.logGroup, LOG_METRICS.admissions, isAdmission);
    const denials = this.countFilter(
      'Denials',
      props.logGroup,
      LOG_METRICS.denials,
      FilterPattern.all(isAdmission, FilterPattern.stringValue(`$.${DECISION_LOG.decision}`, '=', 'deny')),
    );

    const fn = props.function;
    const errors = fn.metricErrors({ period: PERIOD, statistic: 'Sum' });
    const throttles = fn.metricThrottles({ period: PERIOD, statistic: 'Sum' });
    const p99 = fn.metricDuration({ period: PERIOD, statistic: 'p99' });
    const p50 = fn.metricDuration({ period: PERIOD, statistic: 'p50' });
    const slowMs = Math.round(WEBHOOK_TIMEOUT_SECONDS * 1000 * SLOW_SHARE_OF_TIMEOUT);

    this.alarms = [
      new Alarm(this, 'Errors', {
        alarmDescription: 'The webhook function failed; with failurePolicy Fail the cluster cannot admit pods.',
        metric: errors,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'Throttles', {
        alarmDescription: 'Admissions were throttled at the reserved concurrency; raise it or find the flood.',
        metric: throttles,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'SlowAdmissions', {
        alarmDescription: `p99 duration is above ${slowMs} ms, close to the ${WEBHOOK_TIMEOUT_SECONDS} s webhook timeout.`,
        metric: p99,
        threshold: slowMs,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'DenialSpike', {
        alarmDescription: `More than ${props.denialAlarmThreshold} admissions denied in 5 minutes: run the "denials" query.`,
        metric: denials,
        threshold: props.denialAlarmThreshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    const gate = new GateAlarms(this, 'Gate', {
      ...props.alarms,
      function: fn,
      logGroup: props.logGroup,
      breakGlass: props.breakGlass ?? false,
    });
    this.alarms.push(...gate.alarms);
    if (props.alarmTopicArn) {
      const action = new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn));
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `## notary-gate\nDecisions, latency and failures. Saved queries: Logs Insights > Queries > ${stackName}.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Admissions and denials', left: [admissions, denials], width: 8 }),
      new GraphWidget({
        title: 'Duration (ms)',
        left: [p50, p99],
        leftAnnotations: [{ value: slowMs, label: 'near the webhook timeout' }],
        width: 8,
      }),
      new GraphWidget({ title: 'Errors and throttles', left: [errors, throttles], width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function URL: requests, 4xx and 5xx answers, refused tokens',
        left: [gate.metrics.urlRequests],
        right: [gate.metrics.url4xx, gate.metrics.url5xx, gate.metrics.tokenRejections],
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Signature sources: requests and failed exchanges, by format',
        left: [originSearch(METRIC.originRequests, ['format'], 'requests')],
        right: [
          originSearch(METRIC.originErrors, ['code', 'format'], 'errors'),
          originSearch(METRIC.originErrors, ['status', 'format'], 'errors'),
        ],
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Latest denials',
        logGroupNames: [props.logGroup.logGroupName],
        queryString: findDecisionQuery('denials')?.text ?? '',
        width: 24,
        height: 8,
      }),
    );
  }

  private countFilter(id: string, logGroup: ILogGroup, metricName: string, filterPattern: IFilterPattern): Metric {
    const filter = new MetricFilter(this, id, {
      logGroup,
      metricNamespace: METRICS_NAMESPACE,
      metricName,
      filterPattern,
      metricValue: '1',
      defaultValue: 0,
    });
    return filter.metric({ period: PERIOD, statistic: 'Sum' });
  }
}

/**
 * Every series of an EMF metric the runtime emits with these dimensions (and Powertools' `service`), whatever their
 * values: formats and codes are not known at synth time (a new format needs no dashboard change).
 */
function originSearch(metricName: string, dimensions: readonly string[], label: string): MathExpression {
  const schema = [METRICS_NAMESPACE, ...dimensions, 'service'].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
    usingMetrics: {},
  });
}
