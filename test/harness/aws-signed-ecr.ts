/**
 * An ECR registry holding AWS Signer-signed images, for end-to-end tests of the EKS path: an in-process registry
 * with the referrers API behind ECR's Basic challenge (the `registries: <host>: endpoint:` of a policy points the
 * ECR host name at it), a fake ECR endpoint issuing the registry token (AWS_ENDPOINT_URL_ECR), a fake AWS Signer
 * endpoint answering GetRevocationStatus (AWS_ENDPOINT_URL_SIGNER), and an AWS-shaped chain under a test root
 * (AWS's own root cannot sign test data). Three images in `web`: one signed by the trusted profile, one by another
 * profile of the same account, one nobody signed.
 */
import { Buffer } from 'node:buffer';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AWS_TEST_PROFILE, type AwsShapedChain, awsEnvelope, buildAwsShapedChain } from './aws-signer-chain';
import { type FakeRegistry, startFakeRegistry } from './fake-registry';
import { type FakeServer, startFakeServer } from './fake-server';
import { FAKE_AWS_CREDENTIALS, type FakeSigner, startFakeSigner } from './fake-signer';

export const ECR_ACCOUNT = '123456789012';
export const ECR_REGION = 'us-west-2';
export const ECR_HOST = `${ECR_ACCOUNT}.dkr.ecr.${ECR_REGION}.amazonaws.com`;
export const ECR_REPOSITORY = 'web';
/** The test root's trust store name (`signingAuthority:aws-test`): aws-signer-ts is built in and reserved. */
export const AWS_TEST_STORE = 'aws-test';
/** What ECR's GetAuthorizationToken encodes: `AWS:<password>`, sent back as Basic credentials. */
const ECR_TOKEN = Buffer.from('AWS:ecr-password').toString('base64');

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface AwsSignedEcr {
  readonly registry: FakeRegistry;
  /** The fake ECR API (GetAuthorizationToken); its `requests` are the token requests. */
  readonly ecr: FakeServer;
  readonly signer: FakeSigner;
  readonly aws: AwsShapedChain;
  readonly images: { readonly signed: Descriptor; readonly other: Descriptor; readonly unsigned: Descriptor };
  /** The SDK's environment: the two fake endpoints and static credentials for them. */
  readonly awsEnv: Record<string, string>;
  /** `<host>/web@<digest>` of an image. */
  reference(image: keyof AwsSignedEcr['images']): string;
  close(): Promise<void>;
}

export interface AwsSignedEcrOptions {
  /** Start of the leaf's three-day validity. */
  readonly leafNotBeforeMs: number;
  /** The authentic signing time of the signatures (inside the leaf's validity). */
  readonly signedAtMs: number;
  /** When the ECR token expires (ECR's are good for 12 hours). */
  readonly tokenExpiresAtMs: number;
  /** Tag the signed image as `v1` (default: untagged). */
  readonly tagSigned?: string;
}

/** A Notation signature manifest for `subject` holding the envelope, as `notation sign` pushes it. */
function putSignature(registry: FakeRegistry, subject: Descriptor, envelope: Uint8Array): void {
  const layer = registry.putBlob(ECR_REPOSITORY, envelope, 'application/jose+json');
  registry.putManifest(ECR_REPOSITORY, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cncf.notary.signature',
    config: {
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: registry.putBlob(ECR_REPOSITORY, Buffer.from('{}')).digest,
      size: 2,
    },
    layers: [{ mediaType: 'application/jose+json', digest: layer.digest, size: layer.size }],
    subject,
  });
}

function putImage(registry: FakeRegistry, content: string, tag?: string): Descriptor {
  return registry.putManifest(
    ECR_REPOSITORY,
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 },
      layers: [],
      annotations: { content },
    },
    tag ? { tag } : {},
  );
}

export async function startAwsSignedEcr(options: AwsSignedEcrOptions): Promise<AwsSignedEcr> {
  const ecr = await startFakeServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          authorizationData: [
            {
              authorizationToken: ECR_TOKEN,
              expiresAt: options.tokenExpiresAtMs / 1000,
              proxyEndpoint: `https://${ECR_HOST}`,
            },
          ],
        }),
      ),
    );
  });
  const signer = await startFakeSigner();
  const registry = await startFakeRegistry({
    fault: (req, res) => {
      if (req.headers.authorization === `Basic ${ECR_TOKEN}`) return false;
      res
        .writeHead(401, { 'www-authenticate': `Basic realm="https://${ECR_HOST}/",service="ecr.amazonaws.com"` })
        .end();
      return true;
    },
  });
  const aws = await buildAwsShapedChain({ leafNotBeforeMs: options.leafNotBeforeMs, region: ECR_REGION });
  const images = {
    signed: putImage(registry, 'signed', options.tagSigned),
    other: putImage(registry, 'other profile'),
    unsigned: putImage(registry, 'unsigned'),
  };
  putSignature(registry, images.signed, awsEnvelope(aws, { signedAtMs: options.signedAtMs, target: images.signed }));
  putSignature(
    registry,
    images.other,
    awsEnvelope(aws, {
      signedAtMs: options.signedAtMs,
      target: images.other,
      profileVersionArn: `${AWS_TEST_PROFILE}_other/V1`,
    }),
  );
  return {
    registry,
    ecr,
    signer,
    aws,
    images,
    awsEnv: {
      AWS_ENDPOINT_URL_ECR: ecr.url,
      AWS_ENDPOINT_URL_SIGNER: signer.url,
      AWS_ACCESS_KEY_ID: FAKE_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_AWS_CREDENTIALS.secretAccessKey,
    },
    reference: (image) => `${ECR_HOST}/${ECR_REPOSITORY}@${images[image].digest}`,
    close: async () => {
      await Promise.all([ecr.close(), registry.close(), signer.close()]);
    },
  };
}

/** The trust policy a user writes for one AWS Signer profile (any version), revocation enforced (strict). */
export function awsSignerTrustPolicy(store = `signingAuthority:${AWS_TEST_STORE}`) {
  return {
    version: '1.0',
    trustPolicies: [
      {
        name: 'ecr',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict' },
        trustStores: [store],
        trustedIdentities: [AWS_TEST_PROFILE],
      },
    ],
  };
}

/**
 * A policy folder as a user deploys one for ECR: `policy.yaml` with the ECR host's `registries:` entry (its
 * endpoint the fake registry) and a verify rule whose `notation:` names `trustpolicy.json` and a trust store folder
 * holding the test root. Returns the policy file.
 */
export function writeAwsPolicyFolder(dir: string, fixture: AwsSignedEcr): string {
  const storeDir = path.join(dir, 'truststore', 'x509', 'signingAuthority', AWS_TEST_STORE);
  mkdirSync(storeDir, { recursive: true });
  writeFileSync(path.join(storeDir, 'root.pem'), fixture.aws.rootPem);
  writeFileSync(path.join(dir, 'trustpolicy.json'), JSON.stringify(awsSignerTrustPolicy(), null, 2));
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(
    file,
    [
      'mode: enforce',
      'defaultAction: deny',
      'registries:',
      `  ${ECR_HOST}:`,
      `    endpoint: ${fixture.registry.url}`,
      'rules:',
      `  - match: ["${ECR_HOST}/**"]`,
      '    notation:',
      '      trustPolicy: ./trustpolicy.json',
      '      trustStore: ./truststore',
      '',
    ].join('\n'),
  );
  return file;
}
