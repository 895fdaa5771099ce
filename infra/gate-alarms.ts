import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type IFilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../shared/constants';
import { DECISION_LOG } from '../shared/log/fields';
import { MUTATION_LOG } from '../shared/log/mutation-fields';
import { TOKEN_REJECTION_LOG } from '../shared/log/token-rejection';
import { NOTARY_V1_FORMAT } from '../shared/notary/format-name';
import { METRIC } from '../shared/observer';
import { REGISTRY_METRIC_FORMAT } from '../shared/registry/registry-origin';

/**
 * The alarms on what goes wrong around the decision, each optional: a number is its threshold (events in 5 minutes),
 * `false` leaves it out. docs/deploy.md ("Alarms") says what each means and what to do.
 */
export interface GateAlarmProps {
  /**
   * Requests refused for their path token (403 TOKEN_REQUIRED or TOKEN_INVALID, the webhook's own token-rejected log
   * line) in 5 minutes: a cluster still calling with a rotated-away token. Default 3: the apiserver retries nothing,
   * so each one is a refused workload; a lone probe of the URL stays below it.
   */
  readonly tokenRejections?: number | false;
  /**
   * 4xx answers of the function URL (AWS/Lambda `Url4xxCount`: 400 malformed, 403 token, 404, 413 too large) in 5
   * minutes. The apiserver gets none when all is well, so these are a misconfigured caller or someone probing.
   * Default 10.
   */
  readonly urlClientErrors?: number | false;
  /**
   * Failed exchanges with one kind of signature source (`OriginErrors` of one `format`: the Notary servers, the OCI
   * registries) in 5 minutes; one alarm per format. Default 5.
   */
  readonly originErrors?: number | false;
  /**
   * No admission decided by `/validate` for this long: the webhook configuration was deleted, its rules or selectors
   * bypass it, or the cluster is calling something else. Missing data counts as breaching. A whole number of
   * 5-minute periods, from 5 minutes to 1 day. Default 1 hour; quiet clusters want longer, or a heartbeat
   * (docs/deploy.md).
   */
  readonly noAdmissionsFor?: Duration | false;
}

/** The documented defaults of GateAlarmProps. */
export const DEFAULT_GATE_ALARMS = {
  tokenRejections: 3,
  urlClientErrors: 10,
  originErrors: 5,
  noAdmissionsFor: Duration.hours(1),
} as const satisfies Required<GateAlarmProps>;

/** The formats the runtime emits `OriginErrors` under (the `format` dimension): Notary v1 servers, OCI registries. */
export const ORIGIN_METRIC_FORMATS = [NOTARY_V1_FORMAT, REGISTRY_METRIC_FORMAT] as const;

/** Metrics derived from the log by this construct's metric filters, per function (the FunctionName dimension). */
export const GATE_LOG_METRICS = {
  tokenRejections: 'RejectedTokens',
  validations: 'ValidatingAdmissions',
  breakGlass: 'BreakGlassAdmissions',
} as const;

const PERIOD = Duration.minutes(5);
const NO_ADMISSIONS_MIN = Duration.minutes(5);
/** CloudWatch evaluates at most one day of periods (EvaluationPeriods x Period <= 86400 s). */
const NO_ADMISSIONS_MAX = Duration.days(1);

export interface GateAlarmsProps extends GateAlarmProps {
  readonly function: IFunction;
  readonly logGroup: ILogGroup;
  /** Alarm on each object the break-glass label exempted (the mutating webhook's records of them). */
  readonly breakGlass: boolean;
}

/**
 * The alarms of GateAlarmProps. The log-derived metrics carry the function's name as a dimension (Powertools writes
 * `function_name` on every line), so two stacks in one account and region never count each other's admissions: an
 * alarm about missing admissions must not be satisfied by another cluster's webhook.
 */
export class GateAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  /** Series for the dashboard. */
  readonly metrics: {
    tokenRejections: IMetric;
    validations: IMetric;
    urlRequests: IMetric;
    url4xx: IMetric;
    url5xx: IMetric;
  };

  constructor(scope: Construct, id: string, props: GateAlarmsProps) {
    super(scope, id);
    const tokenRejections = this.countPerFunction(
      'TokenRejections',
      props,
      GATE_LOG_METRICS.tokenRejections,
      FilterPattern.stringValue(`$.${DECISION_LOG.event}`, '=', TOKEN_REJECTION_LOG.eventValue),
    );
    const validations = this.countPerFunction(
      'Validations',
      props,
      GATE_LOG_METRICS.validations,
      FilterPattern.stringValue(`$.${DECISION_LOG.event}`, '=', DECISION_LOG.eventValue),
    );
    const urlMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: props.function.functionName },
        period: PERIOD,
        statistic: 'Sum',
      });
    const url4xx = urlMetric('Url4xxCount');
    this.metrics = {
      tokenRejections,
      validations,
      urlRequests: urlMetric('UrlRequestCount'),
      url4xx,
      url5xx: urlMetric('Url5xxCount'),
    };

    const tokenThreshold = threshold('tokenRejections', props.tokenRejections, DEFAULT_GATE_ALARMS.tokenRejections);
    if (tokenThreshold !== false) {
      this.alarms.push(
        atLeast(this, 'RejectedTokens', tokenRejections, tokenThreshold, {
          description:
            `${tokenThreshold} or more requests refused for their webhook token in 5 minutes: a cluster calls with a ` +
            'rotated-away or mistyped token. Find the caller in the log (event = "token-rejected", sourceIp) and ' +
            're-apply `notary-gate webhook-config --stack` there (docs/deploy.md, rotating the token).',
        }),
      );
    }

    const urlThreshold = threshold('urlClientErrors', props.urlClientErrors, DEFAULT_GATE_ALARMS.urlClientErrors);
    if (urlThreshold !== false) {
      this.alarms.push(
        atLeast(this, 'UrlClientErrors', url4xx, urlThreshold, {
          description:
            `${urlThreshold} or more 4xx answers of the function URL in 5 minutes (token refusals, malformed or ` +
            'oversized reviews, unknown paths): the apiserver gets none when all is well. Read the function log for ' +
            'the codes (token-rejected lines, 400 reasons).',
        }),
      );
    }

    const originThreshold = threshold('originErrors', props.originErrors, DEFAULT_GATE_ALARMS.originErrors);
    if (originThreshold !== false) {
      for (const format of ORIGIN_METRIC_FORMATS) {
        this.alarms.push(
          atLeast(this, `OriginErrors-${format}`, originErrorsOf(format), originThreshold, {
            description:
              `${originThreshold} or more failed exchanges with the ${format} signature sources in 5 minutes ` +
              '(unreachable, timeouts, 5xx, refused credentials): their images are denied, or decided on stale trust ' +
              'data. See the dashboard by code and status, and the "origin-errors" saved query.',
          }),
        );
      }
    }

    const quiet = noAdmissionsWindow(props.noAdmissionsFor);
    if (quiet !== false) {
      const periods = quiet.toMinutes() / PERIOD.toMinutes();
      this.alarms.push(
        new Alarm(this, 'NoAdmissions', {
          alarmDescription:
            `No admission reached /validate for ${quiet.toMinutes()} minutes: the ValidatingWebhookConfiguration ` +
            'may be deleted or bypassed (rules, selectors), or point elsewhere. Check `kubectl get ' +
            'validatingwebhookconfiguration notary-gate -o yaml` and the cluster audit log; on a quiet cluster, ' +
            'run the heartbeat CronJob (docs/deploy.md).',
          metric: validations,
          threshold: 1,
          evaluationPeriods: periods,
          datapointsToAlarm: periods,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          // No line at all (no admission, or no invocation) is exactly what this alarm is about.
          treatMissingData: TreatMissingData.BREACHING,
        }),
      );
    }

    if (props.breakGlass) {
      const used = this.countPerFunction(
        'BreakGlass',
        props,
        GATE_LOG_METRICS.breakGlass,
        FilterPattern.all(
          FilterPattern.stringValue(`$.${DECISION_LOG.event}`, '=', MUTATION_LOG.eventValue),
          FilterPattern.booleanValue(`$.${MUTATION_LOG.breakGlassLabel}`, true),
        ),
      );
      this.alarms.push(
        atLeast(this, 'BreakGlassUsed', used, 1, {
          description:
            'An object labelled notary-gate.io/break-glass=true was admitted without signature verification. Run ' +
            'the "break-glass" saved query (who, what, which images), and remove the label once the incident is over.',
        }),
      );
    }
  }

  /** A count of matching log lines per function; no default value (metric filters with dimensions allow none). */
  private countPerFunction(
    id: string,
    props: GateAlarmsProps,
    metricName: string,
    filterPattern: IFilterPattern,
  ): IMetric {
    const filter = new MetricFilter(this, id, {
      logGroup: props.logGroup,
      metricNamespace: METRICS_NAMESPACE,
      metricName,
      filterPattern,
      metricValue: '1',
      dimensions: { FunctionName: '$.function_name' },
    });
    return filter.metric({
      period: PERIOD,
      statistic: 'Sum',
      dimensionsMap: { FunctionName: props.function.functionName },
    });
  }
}

/**
 * `OriginErrors` of one format summed over its other dimensions (`code` or `status`, and `service`), which are not
 * known at synth time: a CloudWatch Metrics Insights query, which an alarm can watch (a SEARCH cannot be alarmed on).
 */
export function originErrorsOf(format: string): MathExpression {
  return new MathExpression({
    expression: `SELECT SUM(${METRIC.originErrors}) FROM "${METRICS_NAMESPACE}" WHERE format = '${format}'`,
    label: `origin errors (${format})`,
    period: PERIOD,
    usingMetrics: {},
  });
}

function atLeast(
  scope: Construct,
  id: string,
  metric: IMetric,
  value: number,
  options: { description: string },
): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: options.description,
    metric,
    threshold: value,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // Nothing logged or emitted in a period is nothing gone wrong.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

function threshold(name: string, given: number | false | undefined, fallback: number): number | false {
  if (given === false) return false;
  const value = given ?? fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`alarms.${name} must be a whole number from 1, or false`);
  return value;
}

function noAdmissionsWindow(given: Duration | false | undefined): Duration | false {
  if (given === false) return false;
  const window = given ?? DEFAULT_GATE_ALARMS.noAdmissionsFor;
  const minutes = window.toMinutes({ integral: false });
  if (
    !Number.isInteger(minutes / PERIOD.toMinutes()) ||
    minutes < NO_ADMISSIONS_MIN.toMinutes() ||
    minutes > NO_ADMISSIONS_MAX.toMinutes()
  ) {
    throw new Error(
      `alarms.noAdmissionsFor must be a whole number of 5 minutes from ${NO_ADMISSIONS_MIN.toMinutes()} to ${NO_ADMISSIONS_MAX.toMinutes()} minutes, not ${minutes}`,
    );
  }
  return window;
}
