import { revocationCertificateHashes } from '../../../../shared/notation/aws-signer/certificate-hashes';
import { createAwsSignerPlugin } from '../../../../shared/notation/aws-signer/plugin';
import { SignerRevocation } from '../../../../shared/notation/aws-signer/revocation';
import {
  type RevocationQuery,
  SdkSignerRevocationApi,
  signerRevocationApiFromEnv,
} from '../../../../shared/notation/aws-signer/signer-api';
import { type AwsShapedChain, buildAwsShapedChain } from '../../../harness/aws-signer-chain';
import { FAKE_AWS_CREDENTIALS, type FakeSigner, startFakeSigner } from '../../../harness/fake-signer';

const VERSION = 'arn:aws:signer:us-west-2:123456789012:/signing-profiles/ecr_signing/Vt0LkS1Gk3';
const JOB = 'arn:aws:signer:us-west-2:123456789012:/signing-jobs/2b7f3f4c-1d2e-4f5a-9b8c-7d6e5f4a3b2c';
const SIGNED_AT_MS = Date.parse('2026-11-01T01:02:03Z');

describe('signer:GetRevocationStatus through the SDK, against a fake Signer endpoint', () => {
  let signer: FakeSigner;
  let aws: AwsShapedChain;
  let query: RevocationQuery;

  beforeAll(async () => {
    aws = await buildAwsShapedChain({ leafNotBeforeMs: SIGNED_AT_MS - 3_600_000, region: 'us-west-2' });
    query = {
      region: 'us-west-2',
      signatureTimestampMs: SIGNED_AT_MS,
      platformId: 'Notation-OCI-SHA384-ECDSA',
      profileVersionArn: VERSION,
      jobArn: JOB,
      certificateHashes: revocationCertificateHashes(aws.chain),
    };
  });
  beforeEach(async () => {
    signer = await startFakeSigner();
  });
  afterEach(async () => {
    await signer.close();
  });

  const api = (attemptTimeoutMs = 2000) =>
    new SdkSignerRevocationApi({ endpoint: signer.url, credentials: FAKE_AWS_CREDENTIALS, attemptTimeoutMs });
  const live = () => new AbortController().signal;

  it('sends every field as the plugin does, to the custom endpoint itself (no data- host prefix)', async () => {
    expect(await api().getRevocationStatus(query, live())).toEqual([]);
    expect(signer.requests).toHaveLength(1);
    const [request] = signer.requests;
    expect(request!.method).toBe('GET');
    expect(request!.path).toBe('/revocations');
    expect(request!.host).toBe(new URL(signer.url).host);
    expect(request!.signatureTimestamp).toBe('2026-11-01T01:02:03Z');
    expect(request!.platformId).toBe('Notation-OCI-SHA384-ECDSA');
    expect(request!.profileVersionArn).toBe(VERSION);
    expect(request!.jobArn).toBe(JOB);
    expect(request!.certificateHashes).toEqual(revocationCertificateHashes(aws.chain));
    expect(request!.certificateHashes).toHaveLength(4);
    // SigV4 for the signer service in the signature's region.
    expect(request!.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${FAKE_AWS_CREDENTIALS.accessKeyId}/\\d{8}/us-west-2/signer/aws4_request`,
      ),
    );
  });

  it("signs for the signature's region: a GovCloud profile is asked in us-gov-west-1", async () => {
    await api().getRevocationStatus({ ...query, region: 'us-gov-west-1' }, live());
    expect(signer.requests[0]!.authorization).toMatch(/\/us-gov-west-1\/signer\/aws4_request/);
  });

  it('answers the revoked entities', async () => {
    signer.answer({ revokedEntities: [VERSION, query.certificateHashes[0]!] });
    expect(await api().getRevocationStatus(query, live())).toEqual([VERSION, query.certificateHashes[0]]);
  });

  it('rejects with the AWS error when Signer refuses', async () => {
    signer.answer({ status: 400, errorType: 'ValidationException', message: 'bad certificate hashes' });
    await expect(api().getRevocationStatus(query, live())).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'bad certificate hashes',
    });
    expect(signer.requests).toHaveLength(1); // a client fault is not retried
  });

  it('retries a server error once, then rejects', async () => {
    signer.answer({ status: 500, errorType: 'InternalServiceErrorException', message: 'oops' });
    await expect(api().getRevocationStatus(query, live())).rejects.toMatchObject({
      name: 'InternalServiceErrorException',
    });
    expect(signer.requests).toHaveLength(2);
  });

  it('gives up on a silent endpoint after the attempt timeout (it throws, not only warns)', async () => {
    signer.answer('hang');
    await expect(api(150).getRevocationStatus(query, live())).rejects.toThrow();
  });

  it('gives up when the abort signal fires, before any attempt timeout', async () => {
    const controller = new AbortController();
    // The signal fires once the request has reached Signer (not after a fixed delay, which on a loaded machine could
    // come before the request was even sent); the endpoint never answers and the attempt timeout is past the test's.
    signer.answer(() => {
      controller.abort();
      return 'hang';
    });
    const pending = api(60_000).getRevocationStatus(query, controller.signal);
    await expect(pending).rejects.toThrow();
    expect(signer.requests).toHaveLength(1);
  });

  it('reads AWS_ENDPOINT_URL_SIGNER and turns the host prefix off with it', async () => {
    const fromEnv = signerRevocationApiFromEnv({ AWS_ENDPOINT_URL_SIGNER: signer.url });
    const previous = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = FAKE_AWS_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = FAKE_AWS_CREDENTIALS.secretAccessKey;
    try {
      await fromEnv.getRevocationStatus(query, live());
    } finally {
      process.env.AWS_ACCESS_KEY_ID = previous.id;
      process.env.AWS_SECRET_ACCESS_KEY = previous.secret;
      if (previous.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (previous.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    expect(signer.requests).toHaveLength(1);
  });

  describe('through the plugin', () => {
    const input = (signal = live()) => ({
      extendedAttributes: new Map([
        ['com.amazonaws.signer.signingProfileVersion', { value: VERSION, critical: true }],
        ['com.amazonaws.signer.signingJob', { value: JOB, critical: true }],
      ]),
      signingScheme: 'notary.x509.signingAuthority' as const,
      authenticSigningTimeMs: SIGNED_AT_MS,
      chain: aws.chain,
      trustedIdentities: ['arn:aws:signer:us-west-2:123456789012:/signing-profiles/ecr_signing'],
      nowMs: SIGNED_AT_MS,
      signal,
    });
    const plugin = (attemptTimeoutMs = 2000) =>
      createAwsSignerPlugin({ revocation: new SignerRevocation({ api: api(attemptTimeoutMs), clock: Date.now }) });

    it.each([
      ['nothing revoked', { revokedEntities: [] }, { ok: true }],
      ['a revoked profile', { revokedEntities: [VERSION] }, { ok: false, code: 'REVOKED' }],
      ['a revoked certificate', { revokedEntities: ['f'.repeat(192)] }, { ok: false, code: 'REVOKED' }],
      [
        'an error',
        { status: 403, errorType: 'AccessDeniedException', message: 'not authorized' },
        { ok: false, code: 'REVOCATION_UNAVAILABLE', reason: expect.stringMatching(/AccessDeniedException/) },
      ],
    ] as const)('%s', async (_what, answer, expected) => {
      signer.answer(answer);
      expect((await plugin().verify(input())).revocation).toMatchObject(expected);
    });

    it('a slow endpoint: unavailable by the deadline', async () => {
      signer.answer('hang');
      const result = await plugin(60_000).verify(input(AbortSignal.timeout(100)));
      expect(result.revocation).toMatchObject({ ok: false, code: 'REVOCATION_UNAVAILABLE' });
      expect(result.identity).toEqual({ ok: true });
    });

    it('the same signature again: answered from the cache, no second call', async () => {
      const cached = plugin();
      await cached.verify(input());
      await cached.verify(input());
      expect(signer.requests).toHaveLength(1);
    });
  });
});
