import { ecrRepositoryArns } from '../../infra/ecr-pull-scope';

const ACCOUNT = '123456789012';
const HOST = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;

type Rule = { match: string[]; action: 'verify' | 'allow' | 'deny' };
const verify = (...match: string[]): Rule => ({ match, action: 'verify' });
const arnsOf = (rules: Rule[], registries: Record<string, unknown> = {}) =>
  ecrRepositoryArns({ rules, registries } as unknown as Parameters<typeof ecrRepositoryArns>[0]);

describe('ecrRepositoryArns', () => {
  it('narrows a glob on an ECR host to its account, region and the literal prefix of its path', () => {
    expect(arnsOf([verify(`${HOST}/team/api-*`, `${HOST}/team/**`)])).toEqual([
      `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/team/*`,
      `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/team/api-*`,
    ]);
  });

  it('grants exactly one repository for a literal name, and ignores case (ECR names are lower case)', () => {
    expect(arnsOf([verify(`${HOST.toUpperCase()}/Payments/API`)])).toEqual([
      `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/payments/api`,
    ]);
  });

  it('knows the partitions: .cn is aws-cn, us-gov regions aws-us-gov, FIPS hosts the same repositories', () => {
    expect(
      arnsOf([
        verify(`${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/a/**`),
        verify(`${ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com/b`),
        verify(`${ACCOUNT}.dkr.ecr-fips.us-east-1.amazonaws.com/c`),
      ]),
    ).toEqual([
      `arn:aws-cn:ecr:cn-north-1:${ACCOUNT}:repository/a/*`,
      `arn:aws-us-gov:ecr:us-gov-west-1:${ACCOUNT}:repository/b`,
      `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/c`,
    ]);
  });

  it('widens a globbed account or region to * (and a region glob to both partitions of .amazonaws.com)', () => {
    expect(arnsOf([verify('*.dkr.ecr.eu-west-1.amazonaws.com/base/*')])).toEqual([
      'arn:aws:ecr:eu-west-1:*:repository/base/*',
    ]);
    expect(arnsOf([verify(`${ACCOUNT}.dkr.ecr.eu-*.amazonaws.com/x`)])).toEqual([
      `arn:aws-us-gov:ecr:*:${ACCOUNT}:repository/x`,
      `arn:aws:ecr:*:${ACCOUNT}:repository/x`,
    ]);
  });

  it('widens a glob that names AWS but not the ECR host shape to any account and region', () => {
    expect(arnsOf([verify('*.amazonaws.com/team/*')])).toEqual([
      'arn:aws-us-gov:ecr:*:*:repository/team/*',
      'arn:aws:ecr:*:*:repository/team/*',
    ]);
    expect(arnsOf([verify('!docker.io/**')])).toEqual([]);
    expect(arnsOf([verify('**.amazonaws.com/**')])).toEqual([
      'arn:aws-us-gov:ecr:*:*:repository/*',
      'arn:aws:ecr:*:*:repository/*',
    ]);
  });

  it('scopes generic globs to the ECR hosts registries: names, when they match names there', () => {
    const registries = { [HOST]: {}, 'registry.example.com': {} };
    expect(arnsOf([verify('**')], registries)).toEqual([`arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/*`]);
    expect(arnsOf([verify('*/team/*')], registries)).toEqual([`arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/team/*`]);
    expect(arnsOf([verify('registry.example.com/**', 'docker.io/**')], registries)).toEqual([]);
  });

  it('grants nothing when no verify rule names an ECR host (allow and deny rules pull nothing)', () => {
    expect(arnsOf([verify('**', 'public.ecr.aws/eks/**')])).toEqual([]);
    expect(
      arnsOf([
        { match: [`${HOST}/**`], action: 'allow' },
        { match: [`${HOST}/x`], action: 'deny' },
      ]),
    ).toEqual([]);
  });
});
