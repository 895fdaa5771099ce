/**
 * Remembered trust state shared by two instances through one DynamoDB table (dynalite), against a Notary server
 * whose answers the test controls (trust data generated and signed here). Each instance has its own memory tier;
 * the trust cache's fresh TTL is passed by moving the evaluation instant, so that each verification below is a
 * trip to the Notary server. Issue 10 items 1-3.
 */
import { DynamoStore } from '../../shared/cache/dynamo-store';
import { MemoryStore } from '../../shared/cache/memory-store';
import { TieredStore } from '../../shared/cache/tiered-store';
import { TieredTrustCache } from '../../shared/cache/trust-cache';
import { trustStateKeys } from '../../shared/notary/repository-client';
import { DYNALITE_TIMEOUT_MS, type Dynalite, startDynalite } from '../harness/dynalite';
import { type FakeServer, startFakeServer } from '../harness/fake-server';
import { notaryRule, verifierKit } from '../harness/verifier-kit';
import { makeKey } from '../shared/notary/tuf/support/keys';
import type { RepositoryFiles } from '../shared/notary/tuf/support/repository';
import {
  DIGEST_A,
  DIGEST_B,
  GUN,
  instantFor,
  standardKeys,
  standardRepository,
} from '../shared/notary/tuf/support/standard-repository';

const TABLE = 'trust-state-shared';
const MINUTE = 60_000;
const keys = standardKeys();
const T0 = instantFor(keys);

let db: Dynalite;
let notary: FakeServer;
/** What the Notary server serves now, per role name. */
let serving: RepositoryFiles;

beforeAll(async () => {
  db = await startDynalite();
  await db.createTable(TABLE);
  notary = await startFakeServer((req, res) => {
    const match = /^\/v2\/[^/]+\/[^/]+\/[^/]+\/_trust\/tuf\/(.+?)(\.[0-9a-f]{64})?\.json$/.exec(req.url ?? '');
    const role = match?.[1] ?? '';
    const top = serving[role as 'root' | 'timestamp' | 'snapshot' | 'targets'];
    const body = ['root', 'timestamp', 'snapshot', 'targets'].includes(role) ? top : serving.delegated[role];
    if (body) res.end(body);
    else res.writeHead(404).end();
  });
});
afterAll(async () => {
  await notary?.close();
  await db?.stop();
});

let instances = 0;
/** One Lambda instance: its own memory and trust cache, the shared table. */
function instance() {
  instances += 1;
  const store = new TieredStore(
    new MemoryStore(),
    new DynamoStore({ tableName: TABLE, client: db.client(), timeoutMs: DYNALITE_TIMEOUT_MS }),
  );
  const kit = verifierKit({ store, cache: new TieredTrustCache({ store }) });
  return { ...kit, flush: () => store.flush() };
}

/** A repository of its own per test (the table is shared by the tests). */
function repository(name: string) {
  const gun = `${GUN}-${name}`;
  const repoKeys = { ...keys, root: makeKey('ecdsa-x509', { commonName: gun }) };
  return { gun, repo: standardRepository(repoKeys, gun), rootKey: repoKeys.root };
}

const rule = () => notaryRule({ server: notary.url });

describe('two instances sharing one table', () => {
  it('a warm instance sees the root another instance rotated to, and refuses data signed with the old keys', async () => {
    const { gun, repo, rootKey } = repository('rotation');
    repo.targets.targets = { v1: DIGEST_A };
    const original = repo.publish();
    serving = original;
    const a = instance();
    const b = instance();
    expect(await a.verify(`${gun}@sha256:${DIGEST_A}`, rule(), T0)).toMatchObject({ code: 'SIGNED' });
    await a.flush();

    // The owner rotates every key (the old ones leaked): root v2 signed by the old and the new root key.
    const newRoot = makeKey('ecdsa-x509', { commonName: gun });
    repo.root.keys = [newRoot];
    repo.root.signers = [rootKey, newRoot];
    repo.root.version = 2;
    for (const role of [repo.timestamp, repo.snapshot, repo.targets]) {
      role.keys = [makeKey('ecdsa')];
      role.version = 2;
    }
    const rotated = repo.publish();
    serving = rotated;
    expect(await b.verify(`${gun}@sha256:${DIGEST_A}`, rule(), T0 + 10 * MINUTE)).toMatchObject({ code: 'SIGNED' });
    await b.flush();

    // The attacker, holding the old keys, serves the old root with newer metadata signed by the old keys.
    repo.root.keys = [rootKey];
    repo.root.signers = undefined;
    repo.root.version = 1;
    for (const [role, key] of [
      [repo.timestamp, keys.timestamp],
      [repo.snapshot, keys.snapshot],
      [repo.targets, keys.targets],
    ] as const) {
      role.keys = [key];
      role.version = 9;
    }
    repo.targets.targets = { v1: DIGEST_B };
    serving = { ...repo.publish(), root: original.root }; // the very root.json a trusted at first
    // a's memory still holds the old root from its first verification; the table holds the rotated one.
    const verdict = await a.verify(`${gun}@sha256:${DIGEST_B}`, rule(), T0 + 20 * MINUTE);
    expect(verdict).toMatchObject({ allowed: false, code: 'ROOT_UNTRUSTED' });
    await a.flush();

    // …and it did not write its old root back over the rotated one.
    const shared = new DynamoStore({ tableName: TABLE, client: db.client(), timeoutMs: DYNALITE_TIMEOUT_MS });
    const stored = await shared.getStrict<string>(trustStateKeys(notary.url, gun).root, T0 + 20 * MINUTE);
    expect(Buffer.from(stored?.value ?? '', 'base64').equals(rotated.root)).toBe(true);
  });

  it('a warm instance refuses metadata older than the floor another instance raised (ROLLBACK)', async () => {
    const { gun, repo } = repository('floor');
    repo.targets.targets = { v1: DIGEST_A };
    for (const role of [repo.timestamp, repo.snapshot, repo.targets]) role.version = 2;
    const old = repo.publish();
    serving = old;
    const a = instance();
    const b = instance();
    expect(await a.verify(`${gun}@sha256:${DIGEST_A}`, rule(), T0)).toMatchObject({ code: 'SIGNED' });
    await a.flush();

    repo.targets.targets = { v1: DIGEST_B };
    for (const role of [repo.timestamp, repo.snapshot, repo.targets]) role.version = 3;
    serving = repo.publish();
    expect(await b.verify(`${gun}@sha256:${DIGEST_B}`, rule(), T0 + 10 * MINUTE)).toMatchObject({ code: 'SIGNED' });
    await b.flush();

    serving = old; // a replay of version 2, validly signed and not expired
    expect(await a.verify(`${gun}@sha256:${DIGEST_A}`, rule(), T0 + 20 * MINUTE)).toMatchObject({
      allowed: false,
      code: 'ROLLBACK',
    });
  });

  it('floors only move up: an instance that verified older data does not lower what the table holds', async () => {
    const { gun, repo } = repository('upward');
    repo.targets.targets = { v1: DIGEST_A };
    serving = repo.publish();
    const a = instance();
    const b = instance();
    expect(await a.verify(`${gun}@sha256:${DIGEST_A}`, rule(), T0)).toMatchObject({ code: 'SIGNED' });
    await a.flush();
    for (const role of [repo.timestamp, repo.snapshot, repo.targets]) role.version = 5;
    serving = repo.publish();
    expect(await b.verify(`${gun}@sha256:${DIGEST_A}`, rule(), T0 + 10 * MINUTE)).toMatchObject({ code: 'SIGNED' });
    await b.flush();
    const shared = new DynamoStore({ tableName: TABLE, client: db.client(), timeoutMs: DYNALITE_TIMEOUT_MS });
    const floors = await shared.getStrict<Record<string, number>>(trustStateKeys(notary.url, gun).versions, T0);
    expect(floors?.value).toMatchObject({ timestamp: 5, snapshot: 5, targets: 5, root: 1 });
  });

  it('keys the remembered root by the registry host in lower case: no fresh first use for REGISTRY spelling', async () => {
    const { gun, repo } = repository('case');
    repo.targets.targets = { v1: DIGEST_A };
    serving = repo.publish();
    const a = instance();
    expect(await a.verify(`${gun}@sha256:${DIGEST_A}`, rule(), T0)).toMatchObject({ code: 'SIGNED' });
    await a.flush();

    // An attacker's repository of the same name, made with other keys, answered for the upper-case spelling.
    const upper = gun.replace(/^docker\.io/, 'DOCKER.IO');
    const foreign = standardRepository(standardKeys(upper), upper);
    foreign.targets.targets = { v1: DIGEST_B };
    serving = foreign.publish();
    const b = instance();
    expect(await b.verify(`${upper}@sha256:${DIGEST_B}`, rule(), T0 + 10 * MINUTE)).toMatchObject({
      allowed: false,
      code: 'ROOT_UNTRUSTED',
    });
  });

  it('a trust-on-first-use rule cannot lock out a pinned rule for the same repository', async () => {
    const { gun, repo, rootKey } = repository('pins');
    repo.targets.targets = { v1: DIGEST_A };
    const genuine = repo.publish();
    // A TOFU rule first meets an impostor's root for the repository…
    const impostor = standardRepository(standardKeys(gun), gun);
    impostor.targets.targets = { v1: DIGEST_B };
    serving = impostor.publish();
    const a = instance();
    expect(await a.verify(`${gun}@sha256:${DIGEST_B}`, rule(), T0)).toMatchObject({ code: 'SIGNED' });
    await a.flush();
    // …which does not stop the pinned rule from verifying the genuine data.
    serving = genuine;
    const pinned = notaryRule({ server: notary.url, rootKeys: [rootKey.publicPem] });
    expect(await instance().verify(`${gun}@sha256:${DIGEST_A}`, pinned, T0 + MINUTE)).toMatchObject({
      allowed: true,
      code: 'SIGNED',
    });
    expect(instances).toBeGreaterThan(0);
  });
});
