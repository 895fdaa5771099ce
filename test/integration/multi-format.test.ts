/**
 * A rule that names two formats: the real Notary v1 verification against a real notary-server, and the test-only
 * `digestList` format (test/harness/digest-list-format.ts), combined with `require: all` and `require: any`.
 * The test format is known to nothing but the module list the test passes: the policy loads, verifies, logs both
 * formats through the webhook as the Lambda runs it, stages for the Lambda bundle and passes `cdk synth`'s checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { buildApp } from '../../infra/build-app';
import { BUNDLED_POLICY_FILE } from '../../infra/policy-bundle';
import { DEFAULT_SETTINGS } from '../../infra/settings';
import { FORMAT_MODULES } from '../../shared/formats/modules';
import { IMAGE_FIELDS } from '../../shared/log/fields';
import { loadPolicy } from '../../shared/policy/load';
import { webhookUnderTest } from '../faults/support/webhook';
import { describeWithNotary } from '../harness/availability';
import { DIGEST_LIST_FORMAT, digestListModule } from '../harness/digest-list-format';
import { type NotaryHarness, startNotary } from '../harness/notary-harness';

const FORMATS = [...FORMAT_MODULES, digestListModule];
const ALL_REPO = 'registry.example.com/team/all';
const ANY_REPO = 'registry.example.com/team/any';
/** Signed in Notary and on the list; on the list only; neither. */
const [SIGNED, LISTED, NEITHER] = ['a', 'b', 'c'].map((c) => `sha256:${c.repeat(64)}`) as [string, string, string];
const cdkContext = JSON.parse(readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')).context;
const entry = path.join(__dirname, '../infra/fixtures/handler.ts');

describeWithNotary('a rule with notary: and a second format', () => {
  let notary: NotaryHarness;
  let dir: string;
  let policyFile: string;

  beforeAll(async () => {
    notary = await startNotary();
    await Promise.all([ALL_REPO, ANY_REPO].map((gun) => notary.seed(gun, { v1: SIGNED.slice('sha256:'.length) })));
    dir = await mkdtemp(path.join(tmpdir(), 'notary-gate-formats-'));
    await writeFile(path.join(dir, 'notary-ca.pem'), notary.caPem);
    await writeFile(path.join(dir, 'digests.txt'), `${SIGNED}\n${LISTED}\n`);
    const section = async (gun: string, index: number) => {
      await writeFile(path.join(dir, `root-${index}.crt`), await notary.rootCertPem(gun));
      return [
        '    notary:',
        `      server: ${notary.url}`,
        '      caFile: ./notary-ca.pem',
        `      rootKeys: ["./root-${index}.crt"]`,
        '    digestList:',
        '      file: ./digests.txt',
        '      warn: "the digest list is a test format"',
      ];
    };
    const lines = [
      'mode: enforce',
      'defaultAction: deny',
      'rules:',
      `  - match: ["${ALL_REPO}"]`,
      ...(await section(ALL_REPO, 0)),
      `  - match: ["${ANY_REPO}"]`,
      '    require: any',
      ...(await section(ANY_REPO, 1)),
    ];
    policyFile = path.join(dir, 'policy.yaml');
    await writeFile(policyFile, `${lines.join('\n')}\n`);
  }, 180_000);

  afterAll(async () => {
    await notary?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads both sections, in the module order, with the default require: all', async () => {
    const policy = await loadPolicy({ file: policyFile, formats: FORMATS });
    expect(policy.rules.map((rule) => rule.require)).toEqual(['all', 'any']);
    expect(Object.keys(policy.rules[0]!).filter((key) => key === 'notary' || key === 'digestList')).toEqual([
      'notary',
      'digestList',
    ]);
    expect(policy.rules[0]?.digestList?.digests).toEqual([SIGNED, LISTED]);
  });

  it('is refused by a runtime that does not know the second format', async () => {
    await expect(loadPolicy({ file: policyFile })).rejects.toThrow(/rules\[0\]\.digestList: unknown field/);
  });

  describe('through the webhook', () => {
    let answer: Awaited<ReturnType<ReturnType<typeof webhookUnderTest>['admit']>>;
    const images = [
      `${ALL_REPO}@${SIGNED}`,
      `${ALL_REPO}@${LISTED}`,
      `${ANY_REPO}@${LISTED}`,
      `${ANY_REPO}@${NEITHER}`,
    ];
    const logged = (image: string) =>
      ((answer.decisions[0]?.images ?? []) as Record<string, unknown>[]).find(
        (entry) => entry[IMAGE_FIELDS.image] === image,
      );

    beforeAll(async () => {
      // The policy travels as POLICY text, its relative paths resolved against the folder it was written in.
      const policy = parse(readFileSync(policyFile, 'utf8'));
      answer = await webhookUnderTest({ policy, baseDir: dir, formats: FORMATS }).admit(images);
    }, 60_000);

    it('under all, admits what both formats verify, and logs both with their reasons', () => {
      expect(logged(images[0]!)).toMatchObject({
        allowed: true,
        code: 'SIGNED',
        format: `notary-v1+${DIGEST_LIST_FORMAT}`,
        warnings: [`${DIGEST_LIST_FORMAT}: the digest list is a test format`],
        formats: [
          expect.objectContaining({ format: 'notary-v1', allowed: true, code: 'SIGNED', source: 'origin' }),
          expect.objectContaining({ format: DIGEST_LIST_FORMAT, allowed: true, code: 'SIGNED' }),
        ],
      });
    });

    it('under all, denies what only one format verifies, with the failing format and its reason', () => {
      expect(logged(images[1]!)).toMatchObject({ allowed: false, code: 'NOT_SIGNED', format: 'notary-v1' });
      expect(String(logged(images[1]!)?.reason)).toMatch(/^notary-v1: .* is not signed in targets\/releases, targets/);
      expect(logged(images[1]!)?.formats).toEqual([
        expect.objectContaining({ format: 'notary-v1', allowed: false, code: 'NOT_SIGNED' }),
        expect.objectContaining({ format: DIGEST_LIST_FORMAT, allowed: true }),
      ]);
    });

    it('under any, admits what one format verifies', () => {
      expect(logged(images[2]!)).toMatchObject({ allowed: true, format: DIGEST_LIST_FORMAT });
    });

    it("under any, denies what no format verifies, listing each format's reason", () => {
      const reason = String(logged(images[3]!)?.reason);
      expect(logged(images[3]!)).toMatchObject({ allowed: false, code: 'NOT_SIGNED' });
      expect(reason).toMatch(
        /^no signature format verified the image: notary-v1: .*; digest-list: .*is not on the digest list$/,
      );
    });

    it('denies the admission, naming the denied images in the message', () => {
      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status?.message).toMatch(/denied 2 of 4 images/);
    });
  });

  describe('deployed with cdk', () => {
    let template: Template;
    let stagingRoot: string;

    beforeAll(async () => {
      stagingRoot = await mkdtemp(path.join(tmpdir(), 'notary-gate-formats-stage-'));
      const app = new App({ context: cdkContext });
      const stack = await buildApp(
        app,
        { ...DEFAULT_SETTINGS, policyFile, stackName: 'NotaryGateFormats' },
        { formats: FORMATS, stagingRoot, entry },
      );
      template = Template.fromStack(stack);
    }, 120_000);

    afterAll(() => rm(stagingRoot, { recursive: true, force: true }));

    it("stages the second format's file with the policy, and the staged policy loads as the original", async () => {
      const [staged] = readdirSync(stagingRoot);
      const stagedFile = path.join(stagingRoot, staged!, BUNDLED_POLICY_FILE);
      const shipped = parse(readFileSync(stagedFile, 'utf8'));
      expect(shipped.rules[0].digestList.file).toMatch(/^\.\/files\/\d+-digests\.txt$/);
      const [original, copy] = await Promise.all(
        [policyFile, stagedFile].map((file) => loadPolicy({ file, formats: FORMATS, validateOnly: true })),
      );
      expect(copy?.rules[0]?.digestList?.digests).toEqual(original?.rules[0]?.digestList?.digests);
    });

    it("grants the AWS permissions the second format's module asks for", () => {
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (resource) =>
          (resource as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
            .Statement,
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: 'signer:GetRevocationStatus', Effect: 'Allow', Resource: '*' }),
      );
    });
  });
});
