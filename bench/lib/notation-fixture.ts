/**
 * What the Notation and registry scenarios run against: the test harness's in-process OCI registry (referrers API,
 * Bearer challenges with its own token endpoint, on 127.0.0.1) holding three images, each tagged `v1` and signed the
 * way `notation sign` does (a JWS envelope over a 3-certificate chain generated here with the test kit, a signature
 * manifest whose `subject` is the image), and a policy folder entry as a user would write it: a Notation trust
 * policy document and a trust store folder with the chain's root. Certificates are valid around the real clock,
 * because the bundled Lambda verifies with it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FakeRegistry, startFakeRegistry } from '../../test/harness/fake-registry';
import { buildChain, jwsEnvelope, payloadOf, type TestChain } from '../../test/harness/notation-kit';

/** Repositories of the Notation Pod on the fake registry; each has one image tagged `v1`, signed once. */
/** The bench's Notation trust policy: strict, the bench CA's store, the kit's leaf subject (envelope-cpu.ts too). */
export const BENCH_TRUST_POLICY = {
  version: '1.0',
  trustPolicies: [
    {
      name: 'bench',
      registryScopes: ['*'],
      signatureVerification: { level: 'strict' },
      trustStores: ['ca:bench'],
      trustedIdentities: ['x509.subject:C=US,ST=WA,O=Acme Inc.'],
    },
  ],
};

export const NOTATION_REPOSITORIES = ['notation/web', 'notation/api', 'notation/worker'];
const DAY_MS = 86_400_000;
const SIGNATURE_ARTIFACT = 'application/vnd.cncf.notary.signature';
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

export interface NotationImage {
  /** `127.0.0.1:<port>/notation/web@sha256:…` */
  readonly byDigest: string;
  /** `127.0.0.1:<port>/notation/web:v1` */
  readonly byTag: string;
  readonly repository: string;
  readonly descriptor: { readonly mediaType: string; readonly digest: string; readonly size: number };
  /** The envelope bytes stored as the signature's layer. */
  readonly envelope: Uint8Array;
}

export interface NotationFixture {
  readonly registry: FakeRegistry;
  /** `127.0.0.1:<port>`, as image names spell it. */
  readonly host: string;
  readonly images: readonly NotationImage[];
  readonly chain: TestChain;
  /** The trust policy document (also written to the folder). */
  readonly trustPolicy: object;
  /**
   * Lines of a policy (YAML, top level) that verify these images: the `registries:` entry and the rule, with the
   * trust policy and store in `notation/` next to the policy file.
   */
  readonly policyLines: { readonly registries: readonly string[]; readonly rule: readonly string[] };
  stop(): Promise<void>;
}

const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

/** Signs the images and writes `notation/trustpolicy.json` and `notation/truststore/` into `policyDir`. */
export async function startNotationFixture(policyDir: string, nowMs = Date.now()): Promise<NotationFixture> {
  const registry = await startFakeRegistry({ bearer: true });
  try {
    const chain = await buildChain({
      leafNotBefore: new Date(nowMs - 30 * DAY_MS),
      leafNotAfter: new Date(nowMs + 365 * DAY_MS),
    });
    const signingTime = new Date(nowMs - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const images = NOTATION_REPOSITORIES.map((repository) => {
      const config = registry.putBlob(repository, Buffer.from(`{"architecture":"amd64","os":"linux"}`));
      const layer = registry.putBlob(repository, Buffer.from(`the ${repository} layer`));
      const descriptor = registry.putManifest(
        repository,
        {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' },
          layers: [{ ...layer, mediaType: 'application/vnd.oci.image.layer.v1.tar' }],
        },
        { tag: 'v1' },
      );
      const envelope = jwsEnvelope({
        chain,
        payload: payloadOf(descriptor),
        protected: { 'io.cncf.notary.signingTime': signingTime },
      });
      const empty = registry.putBlob(repository, Buffer.from('{}'), EMPTY_CONFIG);
      const envelopeBlob = registry.putBlob(repository, envelope, 'application/jose+json');
      registry.putManifest(repository, {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: SIGNATURE_ARTIFACT,
        config: empty,
        layers: [envelopeBlob],
        subject: descriptor,
      });
      return {
        byDigest: `${registry.host}/${repository}@${descriptor.digest}`,
        byTag: `${registry.host}/${repository}:v1`,
        repository,
        descriptor,
        envelope,
      };
    });
    const trustPolicy = BENCH_TRUST_POLICY;
    const notationDir = path.join(policyDir, 'notation');
    const storeDir = path.join(notationDir, 'truststore', 'x509', 'ca', 'bench');
    await mkdir(storeDir, { recursive: true });
    await writeFile(path.join(storeDir, 'root.pem'), pem(chain.ders.at(-1)!));
    await writeFile(path.join(notationDir, 'trustpolicy.json'), JSON.stringify(trustPolicy, null, 2));
    return {
      registry,
      host: registry.host,
      images,
      chain,
      trustPolicy,
      policyLines: {
        registries: ['registries:', `  "${registry.host}":`, '    plainHttp: true'],
        rule: [
          `  - match: ["${registry.host}/notation/**"]`,
          '    notation:',
          '      trustPolicy: ./notation/trustpolicy.json',
          '      trustStore: ./notation/truststore',
        ],
      },
      stop: () => registry.close(),
    };
  } catch (error) {
    await registry.close();
    throw error;
  }
}

/**
 * A policy file next to `notaryPolicyFile` with its Notary rules, the Notation rule and the registry entry: one
 * Lambda instance can then admit both Pods, interleaved (scenarios/warm.ts).
 */
export async function writeCombinedPolicy(notaryPolicyText: string, fixture: NotationFixture, file: string) {
  const lines = [notaryPolicyText.trimEnd(), ...fixture.policyLines.rule, ...fixture.policyLines.registries];
  await writeFile(file, `${lines.join('\n')}\n`);
}
