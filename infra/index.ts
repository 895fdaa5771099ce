/**
 * The construct library of the `notary-gate` package: `import { NotaryGate } from 'notary-gate'` in a CDK app.
 * aws-cdk-lib and constructs are the app's own (peer dependencies).
 */

export { BREAK_GLASS_LABEL } from '../shared/webhook-config/break-glass';
export { STACK_OUTPUTS } from '../shared/webhook-config/stack-outputs';
export { DEFAULT_GATE_ALARMS, type GateAlarmProps } from './gate-alarms';
export { NotaryGate, type NotaryGateProps, type PreparedPolicy, preparePolicy } from './notary-gate';
export { type StagedPolicy, stagePolicy } from './policy-bundle';
export { DEFAULT_SETTINGS, type DeploySettings } from './settings';
export { NotaryGateStack, type NotaryGateStackProps } from './stack';
export { validatePolicyFile } from './validate-policy';
