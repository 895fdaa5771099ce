import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { runCommand } from '../cli/exit';
import { InvalidInputError } from '../shared/errors';
import { stagePolicy } from './policy-bundle';
import { readSettings } from './settings';
import { NotaryGateStack } from './stack';
import { validatePolicyFile } from './validate-policy';

// `npx cdk synth [-c policy=./policy.yaml] [-c stackName=...]`: settings come from context (see settings.ts).
runCommand(async () => {
  const app = new App();
  const settings = readSettings((key) => app.node.tryGetContext(key));
  const policy = settings.policyFile ? stagePolicy(settings.policyFile) : undefined;
  if (!policy) {
    process.stderr.write('notary-gate: no -c policy=FILE given: the built-in default policy denies every image\n');
  } else {
    await validatePolicyFile(policy.file);
    if (policy.credentialEnv.length > 0) {
      // Fail now rather than on every cold start: the function has no such variables.
      throw new InvalidInputError(
        `the policy reads Notary credentials from ${policy.credentialEnv.join(', ')}, which the stack does not ` +
          'provide; deploy a policy without auth (anonymous Notary) until credential secrets are supported',
      );
    }
  }
  new NotaryGateStack(app, settings.stackName, { ...settings, policy });
  // cdk-nag's AWS Solutions rules run at synth: an unacknowledged finding fails it (see nag-acknowledgements.ts).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
  return 0;
});
