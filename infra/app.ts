import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { runCommand } from '../cli/exit';
import { stagePolicy } from './policy-bundle';
import { readSettings } from './settings';
import { NotaryGateStack } from './stack';
import { validatePolicyFile } from './validate-policy';

// `npx cdk synth [-c policy=./policy.yaml] [-c stackName=...]`: settings come from context (see settings.ts).
runCommand(async () => {
  const app = new App();
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const policy = settings.policyFile ? stagePolicy(settings.policyFile) : undefined;
  // Validated as the function will load it; refuses credentials from environment variables, names the secrets.
  const deployable =
    policy && settings.policyFile ? await validatePolicyFile(policy.file, settings.policyFile) : undefined;
  if (!policy) {
    process.stderr.write('notary-gate: no -c policy=FILE given: the built-in default policy denies every image\n');
  }
  new NotaryGateStack(app, settings.stackName, {
    ...settings,
    policy,
    notarySecretArns: deployable?.notarySecretArns ?? [],
  });
  // cdk-nag's AWS Solutions rules run at synth: an unacknowledged finding fails it (see nag-acknowledgements.ts).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
  return 0;
});
