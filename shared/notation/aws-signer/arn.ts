/**
 * AWS Signer ARNs: signing profiles (`arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>`), profile
 * versions (`…/<name>/<version>`) and signing jobs (`…:/signing-jobs/<id>`), parsed as the AWS Signer Notation
 * plugin parses them (aws-sdk-go-v2 `arn.Parse`: six colon-separated sections, the resource keeps any further
 * colons), plus the partition a region belongs to, because signatures and the revocation API are partition-scoped.
 */

export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** An ARN's sections, or undefined when the text is not an ARN (`arn:` and six sections, as aws-sdk-go-v2 requires). */
export function parseArn(text: string): Arn | undefined {
  if (!text.startsWith('arn:')) return undefined;
  const sections = text.split(':');
  if (sections.length < 6) return undefined;
  const [, partition, service, region, account] = sections as [string, string, string, string, string];
  return { partition, service, region, account, resource: sections.slice(5).join(':') };
}

export interface SigningProfileArn extends Arn {
  readonly profileName: string;
  /** Present for a profile-version ARN (`/signing-profiles/<name>/<version>`), absent for a profile ARN. */
  readonly profileVersion?: string;
  readonly text: string;
}

const PROFILES_PREFIX = '/signing-profiles/';
const JOBS_PREFIX = '/signing-jobs/';

/**
 * A signing-profile or profile-version ARN. The plugin counts `/`-separated resource parts: 3 (`""`,
 * `signing-profiles`, name) is a profile, 4 a profile version; anything else matches nothing, so it is not one here.
 */
export function parseSigningProfileArn(text: string): SigningProfileArn | undefined {
  const arn = parseArn(text);
  if (arn?.service !== 'signer' || !arn.resource.startsWith(PROFILES_PREFIX)) return undefined;
  const parts = arn.resource.split('/');
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  if (parts.slice(2).some((part) => part === '')) return undefined;
  return { ...arn, text, profileName: parts[2]!, ...(parts.length === 4 ? { profileVersion: parts[3]! } : {}) };
}

/** A signing-job ARN (`…:/signing-jobs/<id>`), or undefined. */
export function parseSigningJobArn(text: string): Arn | undefined {
  const arn = parseArn(text);
  if (arn?.service !== 'signer' || !arn.resource.startsWith(JOBS_PREFIX)) return undefined;
  const id = arn.resource.slice(JOBS_PREFIX.length);
  return id === '' || id.includes('/') ? undefined : arn;
}

/**
 * The shape of an AWS region name (`us-east-1`, `us-gov-west-1`, `eu-isoe-west-1`). The region of a signature's
 * profile picks the Signer endpoint to ask, so it must be a region name and never a host fragment.
 */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function isRegionName(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/**
 * The partition of a region, by the region-name prefixes of the AWS partitions (the SDK's partitions.json
 * `regionRegex`); everything else is the commercial partition `aws`.
 */
const PARTITION_PREFIXES: readonly (readonly [string, string])[] = [
  ['us-gov-', 'aws-us-gov'],
  ['cn-', 'aws-cn'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
];

export function partitionOfRegion(region: string): string {
  return PARTITION_PREFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

/** Whether an ARN names a real region of its own partition (`arn:aws:signer:us-gov-west-1:…` does not). */
export function regionMatchesPartition(arn: Arn): boolean {
  return isRegionName(arn.region) && partitionOfRegion(arn.region) === arn.partition;
}

/** Case-insensitive equality, as the plugin compares ARNs (Go's strings.EqualFold). */
export function equalFold(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
