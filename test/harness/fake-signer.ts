/**
 * A fake AWS Signer endpoint on 127.0.0.1 for `AWS_ENDPOINT_URL_SIGNER`: it answers GetRevocationStatus
 * (`GET /revocations?…`, REST-JSON) as a test scripts it, and records every request with its query decoded, so
 * tests assert the fields the SDK sent one by one. AWS APIs cannot run here; this is the boundary fake.
 */
import type http from 'node:http';
import { type FakeServer, startFakeServer } from './fake-server';

export interface RecordedRevocationRequest {
  readonly method: string;
  readonly path: string;
  readonly signatureTimestamp: string | null;
  readonly platformId: string | null;
  readonly profileVersionArn: string | null;
  readonly jobArn: string | null;
  readonly certificateHashes: string[];
  readonly authorization: string | undefined;
  readonly host: string | undefined;
}

/** How to answer one request: revoked entities, an AWS error, or never (a silent endpoint). */
export type SignerAnswer =
  | { readonly revokedEntities: readonly string[] }
  | { readonly status: number; readonly errorType: string; readonly message: string }
  | 'hang';

export interface FakeSigner {
  readonly url: string;
  readonly requests: RecordedRevocationRequest[];
  /** The answer to the next requests (default: nothing revoked). */
  answer(next: SignerAnswer | ((request: RecordedRevocationRequest) => SignerAnswer)): void;
  close(): Promise<void>;
}

export async function startFakeSigner(): Promise<FakeSigner> {
  const requests: RecordedRevocationRequest[] = [];
  let script: SignerAnswer | ((request: RecordedRevocationRequest) => SignerAnswer) = { revokedEntities: [] };
  const hanging: http.ServerResponse[] = [];
  const server: FakeServer = await startFakeServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const recorded: RecordedRevocationRequest = {
      method: req.method ?? '',
      path: url.pathname,
      signatureTimestamp: url.searchParams.get('signatureTimestamp'),
      platformId: url.searchParams.get('platformId'),
      profileVersionArn: url.searchParams.get('profileVersionArn'),
      jobArn: url.searchParams.get('jobArn'),
      certificateHashes: url.searchParams.getAll('certificateHashes'),
      authorization: req.headers.authorization,
      host: req.headers.host,
    };
    requests.push(recorded);
    const answer = typeof script === 'function' ? script(recorded) : script;
    if (answer === 'hang') {
      hanging.push(res);
      return;
    }
    if (url.pathname !== '/revocations' || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      res.end(JSON.stringify({ message: `no route ${req.method} ${url.pathname}` }));
      return;
    }
    if ('revokedEntities' in answer) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ revokedEntities: answer.revokedEntities }));
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', 'x-amzn-errortype': answer.errorType });
    res.end(JSON.stringify({ message: answer.message }));
  });
  return {
    url: server.url,
    requests,
    answer: (next) => {
      script = next;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      await server.close();
    },
  };
}

/** Static credentials for the fake endpoint (the SDK signs every request; the fake ignores the signature). */
export const FAKE_AWS_CREDENTIALS = { accessKeyId: 'AKIDFAKESIGNERTEST', secretAccessKey: 'fake-secret-for-tests' };
