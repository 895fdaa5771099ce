import picomatch from 'picomatch';
import type { PolicyDocument } from '../shared/policy/schema';
import { parseEcrHost } from '../shared/registry/ecr-host';

/**
 * Which ECR repositories the deployed function may pull from: the repository ARNs of the ECR images the policy
 * verifies, as narrow as its `match` globs allow. Only rules with `action: verify` read registries (allow and deny
 * rules decide on the name alone), so only their globs count. A glob names ECR when
 * - its host part has the shape of an ECR host (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`), with each
 *   of account and region literal or a glob: a literal is kept, a glob becomes IAM's `*` (e.g. `*` in the account);
 * - its host part mentions `amazonaws.com` or `dkr.ecr` without that shape (`*.amazonaws.com`): any account and
 *   region, since the glob does not say which;
 * - or it matches a host the `registries:` section names for ECR (a bare `**`, with a registries entry for
 *   `123456789012.dkr.ecr.eu-west-1.amazonaws.com`): that host's account and region.
 * The repository is the glob's path part: a literal path is that one repository; otherwise everything up to the
 * first glob character is a prefix and the ARN ends in `*` (`team/api-*` -> `repository/team/api-*`).
 * A partition follows from the host: `.cn` is `aws-cn`, a `us-gov-` region `aws-us-gov`; a region glob on
 * `.amazonaws.com` may be either `aws` or `aws-us-gov`, so both ARNs are listed.
 * A glob that matches ECR hosts only through a wildcard that mentions no AWS domain and no registries entry (a bare
 * `**`) grants nothing: the policy names no ECR host, and such pulls fail closed (AccessDenied is a denial).
 */

const GLOB_CHARS = /[*?[\]{}()!+@\\]/;
/**
 * `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` with any component possibly a glob (no dots in it). FIPS
 * endpoints serve the same repositories (ARNs do not name the endpoint).
 */
const ECR_HOST_GLOB = /^([^./]+)\.dkr\.ecr(-fips)?\.([^./]+)\.amazonaws\.com(\.cn)?$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/** The repository ARNs to grant pulls on, each once, sorted; empty when the policy verifies no ECR image. */
export function ecrRepositoryArns(document: Pick<PolicyDocument, 'rules' | 'registries'>): string[] {
  const registryHosts = Object.keys(document.registries ?? {})
    .map((key) => key.toLowerCase())
    .filter((host) => parseEcrHost(host) !== undefined);
  const arns = document.rules
    .filter((rule) => rule.action === 'verify')
    .flatMap((rule) => rule.match.flatMap((glob) => arnsForGlob(glob.toLowerCase(), registryHosts)));
  return [...new Set(arns)].sort();
}

function arnsForGlob(glob: string, registryHosts: readonly string[]): string[] {
  const slash = glob.indexOf('/');
  const host = slash < 0 ? glob : glob.slice(0, slash);
  const path = slash < 0 ? undefined : glob.slice(slash + 1);
  // `**` in the host part, or a brace/extglob there, may span the `/`: the host says nothing, the path neither.
  // A leading `!` negates: the glob then matches nearly every name.
  const spans = host.includes('**') || /[{(]/.test(host) || glob.startsWith('!');
  const repository = spans || path === undefined ? '*' : repositoryPattern(path);

  const shaped = spans ? null : ECR_HOST_GLOB.exec(host);
  if (shaped) {
    const [, account = '', , region = '', cn] = shaped;
    return arnsFor(literalOr(account, ACCOUNT), literalOr(region, REGION), cn !== undefined, repository);
  }
  if (host.includes('amazonaws.com') || host.includes('dkr.ecr')) {
    return arnsFor('*', '*', host.endsWith('.cn') && !spans, repository);
  }
  // A generic glob: only the ECR hosts the registries section names, when the glob matches names on them.
  const matches = picomatch(glob, { dot: true, nocase: true });
  const hostMatches = spans ? undefined : picomatch(host, { dot: true, nocase: true });
  return registryHosts.flatMap((registry) => {
    const reached = hostMatches ? hostMatches(registry) : matches(`${registry}/x`) || matches(`${registry}/x/y`);
    if (!reached) return [];
    const ecr = parseEcrHost(registry);
    return ecr ? arnsFor(ecr.accountId, ecr.region, registry.endsWith('.cn'), repository) : [];
  });
}

/** A literal path is one repository; a glob is the literal prefix before its first glob character, then `*`. */
function repositoryPattern(path: string): string {
  const first = path.search(GLOB_CHARS);
  return first < 0 ? path : `${path.slice(0, first)}*`;
}

function literalOr(component: string, shape: RegExp): string {
  return shape.test(component) ? component : '*';
}

function arnsFor(account: string, region: string, china: boolean, repository: string): string[] {
  const partitions = china
    ? ['aws-cn']
    : region === '*'
      ? ['aws', 'aws-us-gov']
      : [region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws'];
  return partitions.map((partition) => `arn:${partition}:ecr:${region}:${account}:repository/${repository}`);
}
