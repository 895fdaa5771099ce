/**
 * `validatePolicyFile` as a process: prints the `DeployablePolicy` of the policy file given (secret ARNs, AWS
 * permissions, ECR repositories) as JSON, or the loader's error on stderr with exit code 2. The `NotaryGate` construct runs it synchronously (a construct
 * cannot await) so that a bad policy fails `cdk synth` with the loader's own message.
 * Usage: node validate-policy.js STAGED_POLICY_FILE LABEL
 */
import { describeError } from '../shared/describe-error';
import { validatePolicyFile } from './validate-policy';

const [file, label] = process.argv.slice(2);
validatePolicyFile(file ?? '', label ?? file).then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error: unknown) => {
    process.stderr.write(describeError(error));
    process.exitCode = 2;
  },
);
