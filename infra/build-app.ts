import type { App } from 'aws-cdk-lib';
import { FORMAT_MODULES } from '../shared/formats/modules';
import type { FormatModule } from '../shared/verify/format';
import { stagePolicy } from './policy-bundle';
import type { DeploySettings } from './settings';
import { NotaryGateStack, type NotaryGateStackProps } from './stack';
import { validatePolicyFile } from './validate-policy';

/**
 * The app's stack from its settings: the policy is staged (with the files its format sections name), validated as
 * the function will load it (refusing credentials from environment variables), and its secrets and AWS permissions
 * granted. `formats` is every format the policy may name (tests add a test-only one).
 */
export async function buildApp(
  app: App,
  settings: DeploySettings,
  options: { formats?: readonly FormatModule[]; stagingRoot?: string; entry?: NotaryGateStackProps['entry'] } = {},
): Promise<NotaryGateStack> {
  const formats = options.formats ?? FORMAT_MODULES;
  const policy = settings.policyFile ? stagePolicy(settings.policyFile, options.stagingRoot, formats) : undefined;
  const deployable =
    policy && settings.policyFile ? await validatePolicyFile(policy.file, settings.policyFile, formats) : undefined;
  if (!policy) {
    process.stderr.write('notary-gate: no -c policy=FILE given: the built-in default policy denies every image\n');
  }
  return new NotaryGateStack(app, settings.stackName, {
    ...settings,
    policy,
    secretArns: deployable?.secretArns ?? [],
    awsPermissions: deployable?.awsPermissions ?? [],
    ecrRepositoryArns: deployable?.ecrRepositoryArns ?? [],
    ...(options.entry ? { entry: options.entry } : {}),
  });
}
