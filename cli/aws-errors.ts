/**
 * AWS SDK errors as sentences a user can act on ("no AWS region: set AWS_REGION or pass --region"), instead of the
 * SDK's own text; the raw error stays available with --debug. Recognised by the SDK's error names, which are
 * stable across v3 releases (the messages are not).
 */
export function describeAwsError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const name = error.name;
  const message = error.message;
  if (/region is missing/i.test(message)) return 'no AWS region: set AWS_REGION or pass --region';
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return 'no AWS credentials: set AWS_PROFILE (and run `aws sso login` for SSO profiles) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'].includes(name)) {
    return 'the AWS credentials have expired: refresh them (e.g. `aws sso login`) and try again';
  }
  if (['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException'].includes(name)) {
    return 'AWS refused the credentials (unknown access key or bad signature): check AWS_PROFILE or the keys';
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return `AWS denied the request: ${message}`;
  }
  if (name === 'ValidationError' && /stack with id .* does not exist/i.test(message)) {
    const stack = /stack with id (\S+) does not exist/i.exec(message)?.[1];
    return `no stack named ${stack} in this account and region: check --stack and --region (or AWS_REGION)`;
  }
  if (name === 'ResourceNotFoundException') return `not found in AWS: ${message}`;
  if (name === 'TimeoutError' || (error as { code?: string }).code === 'ENOTFOUND') {
    return `cannot reach AWS: ${message}`;
  }
  return undefined;
}
