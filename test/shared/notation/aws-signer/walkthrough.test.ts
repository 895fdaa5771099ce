import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { signerRevocationRegions } from '../../../../shared/notation/aws-signer/deployment';
import { createAwsSignerPlugin } from '../../../../shared/notation/aws-signer/plugin';
import { SignerRevocation } from '../../../../shared/notation/aws-signer/revocation';
import { AWS_SIGNER_ROOTS } from '../../../../shared/notation/aws-signer/roots';
import { builtInTrustStores } from '../../../../shared/notation/aws-signer/trust-stores';
import { MEDIA_TYPE } from '../../../../shared/notation/media-types';
import { parseTrustPolicy } from '../../../../shared/notation/policy/trust-policy';
import { LayeredTrustStores } from '../../../../shared/notation/policy/trust-store';
import { verifySignature } from '../../../../shared/notation/verify/verify-signature';
import { awsEnvelope, buildAwsShapedChain } from '../../../harness/aws-signer-chain';
import { storesOf, TARGET } from '../../../harness/notation-kit';

const ROOT = join(__dirname, '../../../..');
const DOC = join(ROOT, 'docs/aws-signer.md');
const POLICY = join(ROOT, 'examples/aws-signer/policy.yaml');
const TRUST_POLICY = join(ROOT, 'examples/aws-signer/trustpolicy.json');
const docs = readFileSync(DOC, 'utf8');

/** The fenced code blocks of the page in order, by language. */
function codeBlocks(language: string): string[] {
  return [...docs.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
}

describe('docs/aws-signer.md', () => {
  const trustPolicyJson = JSON.parse(readFileSync(TRUST_POLICY, 'utf8'));
  const [statement] = parseTrustPolicy(trustPolicyJson).trustPolicies;
  const profileArn = statement!.trustedIdentityStrings[0]!;

  it('shows the example trust policy as the file holds it, and it loads with the AWS Signer rules', () => {
    expect(codeBlocks('json').map((block) => JSON.parse(block))).toContainEqual(trustPolicyJson);
    expect(statement!.trustStores).toEqual([{ type: 'signingAuthority', name: 'aws-signer-ts' }]);
    expect(profileArn).toBe('arn:aws:signer:us-west-2:123456789012:/signing-profiles/notary_gate_demo');
  });

  it('shows the example policy as the file holds it, and its rule names the trust policy file', () => {
    const file = parse(readFileSync(POLICY, 'utf8'));
    expect(codeBlocks('yaml').map((block) => parse(block))).toContainEqual(file);
    const [rule] = file.rules;
    expect(resolve(dirname(POLICY), rule.notation.trustPolicy)).toBe(TRUST_POLICY);
    expect(rule.match).toEqual(['123456789012.dkr.ecr.us-west-2.amazonaws.com/**']);
  });

  it('signs, deploys and checks with the same profile, files and region the examples use', () => {
    const shell = codeBlocks('sh').join('\n');
    expect(shell).toContain(`--id ${profileArn}`);
    expect(shell).toContain('--profile-name notary_gate_demo --platform-id Notation-OCI-SHA384-ECDSA');
    expect(shell).toContain('npx cdk deploy -c policy=examples/aws-signer/policy.yaml');
    expect(shell).toContain('npx notary-gate check --policy examples/aws-signer/policy.yaml');
    expect(signerRevocationRegions(parseTrustPolicy(trustPolicyJson))).toEqual(['us-west-2']);
  });

  it('links only to files that exist', () => {
    const links = [...docs.matchAll(/\]\((\.\.\/[^)#]+)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(resolve(dirname(DOC), link))).toBe(true);
  });

  it('gives the fingerprints and download addresses of the built-in roots, and says the GovCloud copy has one source', () => {
    for (const root of AWS_SIGNER_ROOTS) {
      expect(docs).toContain(root.sha256);
      expect(docs).toContain(root.publishedAt);
      expect(docs).toContain(`signingAuthority:${root.storeName}`);
    }
    expect(docs).toMatch(/GovCloud copy comes from one public source only/);
  });

  describe("the example trust policy, with aws-signer-ts bound to a test root (AWS's root cannot sign test data)", () => {
    const signedAtMs = Date.parse('2026-11-01T01:00:00Z');
    const verify = async (profileVersionArn: string) => {
      const aws = await buildAwsShapedChain({ leafNotBeforeMs: signedAtMs - 3_600_000, region: 'us-west-2' });
      const plugin = createAwsSignerPlugin({
        revocation: new SignerRevocation({ api: { getRevocationStatus: async () => [] }, clock: () => signedAtMs }),
      });
      return verifySignature({
        descriptor: TARGET,
        envelope: awsEnvelope(aws, {
          signedAtMs,
          profileVersionArn,
          jobArn: 'arn:aws:signer:us-west-2:123456789012:/signing-jobs/0f1e2d3c',
        }),
        envelopeMediaType: MEDIA_TYPE.jws,
        statement: statement!,
        stores: new LayeredTrustStores([
          storesOf({ 'signingAuthority:aws-signer-ts': [aws.root] }),
          builtInTrustStores,
        ]),
        nowMs: signedAtMs + 86_400_000,
        signal: new AbortController().signal,
        plugins: new Map([[plugin.name, plugin]]),
      });
    };

    it('admits a signature of any version of notary_gate_demo', async () => {
      expect(await verify(`${profileArn}/Ab12Cd34Ef`)).toMatchObject({ verified: true, warnings: [] });
    });

    it('denies a signature of another profile with IDENTITY_UNTRUSTED', async () => {
      expect(await verify(`${profileArn}_other/Ab12Cd34Ef`)).toMatchObject({
        verified: false,
        code: 'IDENTITY_UNTRUSTED',
      });
    });
  });
});
