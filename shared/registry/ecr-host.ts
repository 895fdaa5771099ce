/**
 * Amazon ECR registry host names: `<account>.dkr.ecr[-fips].<region>.amazonaws.com` (also `.amazonaws.com.cn`).
 * Such a host authenticates with `ecr:GetAuthorizationToken`, called in the registry's own region (not the
 * function's): the token is only valid for registries of that region.
 */
export interface EcrHost {
  readonly accountId: string;
  readonly region: string;
  readonly fips: boolean;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region of an ECR host (lower case, no port), or undefined for any other registry. */
export function parseEcrHost(host: string): EcrHost | undefined {
  const match = ECR_HOST.exec(host.toLowerCase());
  if (!match) return undefined;
  const [, accountId, fips, region] = match;
  return accountId && region ? { accountId, region, fips: fips !== undefined } : undefined;
}
