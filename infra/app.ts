import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { runCommand } from '../cli/exit';
import { buildApp } from './build-app';
import { readSettings } from './settings';

// `npx cdk synth [-c policy=./policy.yaml] [-c stackName=...]`: settings come from context (see settings.ts).
runCommand(async () => {
  const app = new App();
  const settings = readSettings((key) => app.node.tryGetContext(key));
  await buildApp(app, settings);
  // cdk-nag's AWS Solutions rules run at synth: an unacknowledged finding fails it (see nag-acknowledgements.ts).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
  return 0;
});
