/**
 * The webhook against a hostile repository (issue 10 items 5-7): trust data generated and signed here, served over
 * HTTPS by a fake Notary, admitted through the Lambda's middy chain with a short apiserver deadline. Each answer is
 * a definite denial with a reason that says what was refused, within the deadline, instead of seconds of
 * synchronous CPU or a download until the deadline.
 */
import { makeKey } from '../shared/notary/tuf/support/keys';
import type { RepositoryFiles } from '../shared/notary/tuf/support/repository';
import { standardKeys, standardRepository } from '../shared/notary/tuf/support/standard-repository';
import { expectEnforcedDenial } from './support/expect-decision';
import { type Fake, loopbackTls, startFake, type Tls } from './support/fake-notary';
import { notaryPolicy, SHORT_QUERY, webhookUnderTest } from './support/webhook';

const APP = 'registry.example.com/team/app';
const DIGEST = 'a'.repeat(64);
const IMAGE = `${APP}@sha256:${DIGEST}`;
const keys = standardKeys(APP);

let tls: Tls;
const fakes: Fake[] = [];
beforeAll(async () => {
  tls = await loopbackTls();
});
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function notaryServing(files: RepositoryFiles): Promise<string> {
  const fake = await startFake((req, res) => {
    const role = /\/_trust\/tuf\/(.+?)(\.[0-9a-f]{64})?\.json$/.exec(req.url ?? '')?.[1] ?? '';
    const top = (files as unknown as Record<string, Buffer | undefined>)[role];
    const body = role === 'delegated' ? undefined : (top ?? files.delegated[role]);
    if (body) res.end(body);
    else res.writeHead(404).end();
  }, tls);
  fakes.push(fake);
  return fake.url;
}

const gate = (server: string) =>
  webhookUnderTest({ policy: notaryPolicy({ match: APP, server, ca: tls.cert, mode: 'enforce' }) });

describe('the webhook against a hostile repository', () => {
  it('denies a repository of 500 delegations within the deadline, saying it delegates too much', async () => {
    const repo = standardRepository(keys, APP);
    repo.targets.targets = { v1: DIGEST };
    const signer = makeKey('ecdsa');
    for (let i = 0; i < 500; i++) repo.delegate(`targets/signer${i}`, [signer], { v1: DIGEST });
    const answer = await gate(await notaryServing(repo.publish())).admit([IMAGE], SHORT_QUERY);
    expectEnforcedDenial(answer, { image: IMAGE, code: 'NOTARY_ERROR', reason: /delegates to more than 64 roles/ });
  }, 60_000);

  it('denies a timestamp recording a 2^40-byte snapshot without downloading it', async () => {
    const repo = standardRepository(keys, APP);
    repo.timestamp.edit = (signed) => {
      (signed.meta as { snapshot: { length: number } }).snapshot.length = 2 ** 40;
    };
    const answer = await gate(await notaryServing(repo.publish())).admit([IMAGE], SHORT_QUERY);
    expectEnforcedDenial(answer, { image: IMAGE, code: 'NOTARY_ERROR', reason: /more than the 1048576-byte ceiling/ });
  });

  it('denies a root carrying 2,000 signatures without verifying them (20,000 do not fit its 512 KiB ceiling)', async () => {
    const files = standardRepository(keys, APP).publish();
    const root = JSON.parse(files.root.toString());
    const bogus = { keyid: keys.root.id, method: 'ecdsa', sig: Buffer.alloc(64, 1).toString('base64') };
    root.signatures = Array.from({ length: 2_000 }, () => bogus);
    const answer = await gate(await notaryServing({ ...files, root: Buffer.from(JSON.stringify(root)) })).admit(
      [IMAGE],
      SHORT_QUERY,
    );
    expectEnforcedDenial(answer, { image: IMAGE, code: 'NOTARY_ERROR', reason: /carries 2000 signatures/ });
  });
});
