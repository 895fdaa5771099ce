import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
// A namespace import, not `{ z }`: esbuild then keeps only the zod parts used (without it, every locale: +360 KiB).
import * as z from 'zod';
import { InvalidInputError } from '../shared/errors';
import type { FailurePolicy } from '../shared/webhook-config/build';
import type { GateAlarmProps } from './gate-alarms';

/**
 * Deployment settings, read from CDK context (`-c key=value` or cdk.json) in one place and validated, so a typo fails
 * the synth with the key's name instead of deploying something else.
 */
export interface DeploySettings {
  readonly stackName: string;
  /** Policy file to ship (`-c policy=./policy.yaml`); absent: the built-in default (deny everything, fail closed). */
  readonly policyFile: string | undefined;
  /** Cap on concurrent executions; undefined (`-c reservedConcurrency=none`) leaves the function uncapped. */
  readonly reservedConcurrency: number | undefined;
  readonly failurePolicy: FailurePolicy;
  /** Output a MutatingWebhookConfiguration too (`/mutate` pins tags to verified digests); `-c mutate=false`: none. */
  readonly mutate: boolean;
  readonly excludedNamespaces: readonly string[];
  readonly logRetention: RetentionDays;
  /** Denied admissions in 5 minutes that raise the denial-spike alarm. */
  readonly denialAlarmThreshold: number;
  /** SNS topic that alarms notify; absent: alarms only change state (see the dashboard). */
  readonly alarmTopicArn: string | undefined;
  /** Break-glass objectSelector on the validating webhook (`-c breakGlass=true`); off by default. */
  readonly breakGlass: boolean;
  /** The alarms around the decision; `-c noAdmissionsAlarmMinutes=N|none` sets the no-admissions window. */
  readonly alarms: GateAlarmProps;
}

export const DEFAULT_SETTINGS: DeploySettings = {
  stackName: 'NotaryGate',
  policyFile: undefined,
  reservedConcurrency: 50,
  failurePolicy: 'Fail',
  mutate: true,
  excludedNamespaces: [],
  logRetention: RetentionDays.THREE_MONTHS,
  denialAlarmThreshold: 10,
  alarmTopicArn: undefined,
  breakGlass: false,
  alarms: {},
};

const RETENTIONS = Object.values(RetentionDays).filter((value): value is number => typeof value === 'number');

/** Context values arrive as strings from `-c` and as JSON values from cdk.json: accept both. */
const positiveInt = z.coerce.number().int().positive();
const namespaceList = z.union([
  z.array(z.string().min(1)),
  z.string().transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ),
]);

const schema = z.object({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')
    .optional(),
  policy: z.string().min(1).optional(),
  reservedConcurrency: z.union([z.literal('none'), positiveInt]).optional(),
  failurePolicy: z.enum(['Fail', 'Ignore']).optional(),
  mutate: z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')]).optional(),
  excludedNamespaces: namespaceList.optional(),
  logRetentionDays: z.coerce
    .number()
    .refine((days) => RETENTIONS.includes(days), `must be one of ${RETENTIONS.join(', ')}`)
    .optional(),
  denialAlarmThreshold: positiveInt.optional(),
  alarmTopicArn: z.string().startsWith('arn:').optional(),
  breakGlass: z.union([z.boolean(), z.enum(['true', 'false']).transform((text) => text === 'true')]).optional(),
  noAdmissionsAlarmMinutes: z.union([z.literal('none'), positiveInt]).optional(),
});

/** Reads the settings from a context lookup such as `(key) => app.node.tryGetContext(key)`. */
export function readSettings(context: (key: string) => unknown): DeploySettings {
  const raw = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, context(key)]));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(`context ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const value = parsed.data;
  return {
    stackName: value.stackName ?? DEFAULT_SETTINGS.stackName,
    policyFile: value.policy ?? DEFAULT_SETTINGS.policyFile,
    reservedConcurrency:
      value.reservedConcurrency === 'none'
        ? undefined
        : (value.reservedConcurrency ?? DEFAULT_SETTINGS.reservedConcurrency),
    failurePolicy: value.failurePolicy ?? DEFAULT_SETTINGS.failurePolicy,
    mutate: value.mutate ?? DEFAULT_SETTINGS.mutate,
    excludedNamespaces: value.excludedNamespaces ?? DEFAULT_SETTINGS.excludedNamespaces,
    logRetention: (value.logRetentionDays as RetentionDays | undefined) ?? DEFAULT_SETTINGS.logRetention,
    denialAlarmThreshold: value.denialAlarmThreshold ?? DEFAULT_SETTINGS.denialAlarmThreshold,
    alarmTopicArn: value.alarmTopicArn ?? DEFAULT_SETTINGS.alarmTopicArn,
    breakGlass: value.breakGlass ?? DEFAULT_SETTINGS.breakGlass,
    alarms:
      value.noAdmissionsAlarmMinutes === undefined
        ? DEFAULT_SETTINGS.alarms
        : {
            noAdmissionsFor:
              value.noAdmissionsAlarmMinutes === 'none' ? false : Duration.minutes(value.noAdmissionsAlarmMinutes),
          },
  };
}
