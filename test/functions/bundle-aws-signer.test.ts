/**
 * The EKS path through the bundled Lambda (the esbuild output as deployed, invoked with function URL events in a
 * fresh node process per cold start): a Pod with an ECR image signed by an AWS-shaped signing profile, the policy
 * staged into the task folder as the CDK asset holds it (its ECR host reached through `registries: endpoint:`, its
 * Notation trust policy and trust store copied beside it), ECR auth from a fake ECR endpoint and revocation from a
 * fake AWS Signer endpoint, both found by the SDK through AWS_ENDPOINT_URL_*. The SDK clients are those on
 * NODE_PATH, resolved as the Lambda runtime resolves them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyPatch, type Operation } from 'rfc6902';
import { revocationCertificateHashes } from '../../shared/notation/aws-signer/certificate-hashes';
import {
  type AwsSignedEcr,
  ECR_HOST,
  ECR_REGION,
  ECR_REPOSITORY,
  startAwsSignedEcr,
  writeAwsPolicyFolder,
} from '../harness/aws-signed-ecr';
import { AWS_TEST_JOB, AWS_TEST_PROFILE, AWS_TEST_PROFILE_VERSION } from '../harness/aws-signer-chain';
import { buildLambdaTask, type Invocation, invokeLambda, type LambdaTask } from '../harness/lambda-bundle';
import { fixture, type ReviewBody, urlEvent } from './events';

const HOUR_MS = 3_600_000;
/**
 * The bundle runs on the system clock: a leaf issued an hour ago (whole seconds, as certificates and signing times
 * are), signed half an hour ago, all still valid.
 */
const LEAF_START_MS = Math.floor(Date.now() / 1000) * 1000 - HOUR_MS;
const SIGNED_AT_MS = LEAF_START_MS + HOUR_MS / 2;

let fixtureDir: string;
let ecr: AwsSignedEcr;
let task: LambdaTask;
let policyEnv: Record<string, string>;

beforeAll(async () => {
  ecr = await startAwsSignedEcr({
    leafNotBeforeMs: LEAF_START_MS,
    signedAtMs: SIGNED_AT_MS,
    tokenExpiresAtMs: Date.now() + 12 * HOUR_MS,
    tagSigned: 'v1',
  });
  fixtureDir = mkdtempSync(path.join(tmpdir(), 'notary-gate-aws-policy-'));
  task = await buildLambdaTask('notary-gate-bundle-aws-');
  policyEnv = task.stagePolicy(writeAwsPolicyFolder(fixtureDir, ecr));
}, 180_000);

afterAll(async () => {
  await ecr?.close();
  task?.remove();
  if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
});

/** Each cold start meets a Signer that has revoked nothing and remembers no request, unless a test scripts it. */
function freshSigner(): void {
  ecr.signer.requests.length = 0;
  ecr.ecr.requests.length = 0;
  ecr.signer.answer({ revokedEntities: [] });
}

beforeEach(freshSigner);

type Review = { apiVersion: string; request: { uid: string; object: Record<string, unknown> } };

/** The Pod fixture with one container running `image`. */
function podReview(image: string): Review {
  const review = JSON.parse(fixture('pod-create.json')) as Review;
  const spec = review.request.object.spec as Record<string, unknown>;
  spec.containers = [{ name: 'web', image }];
  spec.initContainers = [];
  return review;
}

const validate = (review: Review) => urlEvent('POST', '/validate', JSON.stringify(review));
const admit = (image: string) => validate(podReview(image));
const response = (answer: Invocation, index: number) =>
  (JSON.parse(answer.results[index]?.body ?? 'null') as ReviewBody).response;
const decisions = (answer: Invocation) => answer.lines.filter((line) => line.event === 'admission');
const imagesOf = (decision: Record<string, unknown> | undefined) =>
  (decision?.images ?? []) as Record<string, unknown>[];

const invoke = (events: ReturnType<typeof urlEvent>[]) => invokeLambda(task, { ...ecr.awsEnv, ...policyEnv }, events);

describe('the bundled Lambda on the EKS path: ECR images signed with AWS Signer', () => {
  describe('one cold start admitting the signed image twice, then the other images', () => {
    let answer: Invocation;
    let signerRequests: typeof ecr.signer.requests;
    let tokenRequests: typeof ecr.ecr.requests;
    beforeAll(async () => {
      freshSigner();
      answer = await invoke([
        admit(ecr.reference('signed')),
        admit(ecr.reference('signed')),
        admit(ecr.reference('other')),
        admit(ecr.reference('unsigned')),
      ]);
      signerRequests = [...ecr.signer.requests];
      tokenRequests = [...ecr.ecr.requests];
    }, 60_000);

    it('admits the Pod whose image the trusted profile signed, as SIGNED by notation', () => {
      expect(answer.results[0]?.statusCode).toBe(200);
      expect(response(answer, 0)).toEqual({ uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
      expect(imagesOf(decisions(answer)[0])).toEqual([
        expect.objectContaining({ allowed: true, code: 'SIGNED', format: 'notation' }),
      ]);
    });

    it('asked AWS Signer once for the signed image, in the signature’s region, with the fields the plugin sends; the warm admission did not ask', () => {
      expect(response(answer, 1).allowed).toBe(true);
      const asked = signerRequests.filter((request) => request.profileVersionArn === AWS_TEST_PROFILE_VERSION);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({
        method: 'GET',
        path: '/revocations',
        signatureTimestamp: new Date(SIGNED_AT_MS).toISOString().replace('.000Z', 'Z'),
        platformId: 'Notation-OCI-SHA384-ECDSA',
        profileVersionArn: AWS_TEST_PROFILE_VERSION,
        jobArn: AWS_TEST_JOB,
        certificateHashes: revocationCertificateHashes(ecr.aws.chain),
      });
      expect(asked[0]?.authorization).toMatch(new RegExp(`/${ECR_REGION}/signer/aws4_request`));
    });

    it('got the registry token from ECR in the registry’s region, once for the instance', () => {
      expect(tokenRequests).toHaveLength(1);
      expect(tokenRequests[0]?.headers['x-amz-target']).toBe(
        'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
      );
      expect(tokenRequests[0]?.headers.authorization).toMatch(new RegExp(`/${ECR_REGION}/ecr/aws4_request`));
    });

    it('denies the image another profile of the account signed with IDENTITY_UNTRUSTED', () => {
      expect(response(answer, 2)).toMatchObject({ allowed: false, status: { code: 403 } });
      expect(response(answer, 2).status?.message).toContain('IDENTITY_UNTRUSTED');
      expect(decisions(answer)[2]).toMatchObject({ decision: 'deny', deniedCodes: 'IDENTITY_UNTRUSTED' });
    });

    it('denies the image nobody signed with NOT_SIGNED', () => {
      expect(response(answer, 3).allowed).toBe(false);
      expect(decisions(answer)[3]).toMatchObject({ deniedCodes: 'NOT_SIGNED' });
    });

    it('loaded nothing from outside the bundle: the ECR and Signer clients are chunks of it', () => {
      expect(answer.externals).toEqual({});
    });
  });

  it('denies the signed image with REVOKED when AWS Signer has revoked the profile version', async () => {
    ecr.signer.answer({ revokedEntities: [AWS_TEST_PROFILE_VERSION] });
    const answer = await invoke([admit(ecr.reference('signed'))]);
    expect(response(answer, 0).allowed).toBe(false);
    expect(response(answer, 0).status?.message).toContain('REVOKED');
    expect(imagesOf(decisions(answer)[0])).toEqual([
      expect.objectContaining({ allowed: false, code: 'REVOKED', reason: expect.stringContaining(AWS_TEST_PROFILE) }),
    ]);
  }, 60_000);

  it('denies the signed image with REVOCATION_UNAVAILABLE when AWS Signer fails (strict: revocation enforced)', async () => {
    ecr.signer.answer({ status: 500, errorType: 'InternalServiceErrorException', message: 'down' });
    const answer = await invoke([admit(ecr.reference('signed'))]);
    expect(response(answer, 0).allowed).toBe(false);
    expect(decisions(answer)[0]).toMatchObject({ deniedCodes: 'REVOCATION_UNAVAILABLE' });
    expect(ecr.signer.requests.length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('pins a tag of the signed image through /mutate, and /validate admits the pinned Pod', async () => {
    const review = podReview(`${ECR_HOST}/${ECR_REPOSITORY}:v1`);
    const answer = await invoke([urlEvent('POST', '/mutate', JSON.stringify(review))]);
    const mutated = response(answer, 0) as ReviewBody['response'] & { patchType?: string; patch?: string };
    expect(mutated).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
    const patch = JSON.parse(Buffer.from(mutated.patch ?? '', 'base64').toString('utf8')) as Operation[];
    const pinned = `${ECR_HOST}/${ECR_REPOSITORY}:v1@${ecr.images.signed.digest}`;
    expect(patch).toEqual([{ op: 'replace', path: '/spec/containers/0/image', value: pinned }]);
    const object = structuredClone(review.request.object);
    expect(applyPatch(object, patch)).toEqual([null]);
    const validated = await invoke([validate({ ...review, request: { ...review.request, object } })]);
    expect(response(validated, 0).allowed).toBe(true);
    expect(imagesOf(decisions(validated)[0])).toEqual([expect.objectContaining({ code: 'SIGNED', image: pinned })]);
  }, 60_000);
});
