// The Redis store when the history lives in PostgreSQL (ONECARD_HISTORY=postgres,
// docs/decisions/0204): commits write no record bodies, index entries or ride counters; each
// outbox entry carries its record until the relay acks it. The ledger and history suites run
// with the outbox fed into PostgreSQL after every commit (pg/fed.ts), as the relay and the
// history consumer do; the outbox suite runs on the Redis store alone. Each test its own key
// prefix and schema, removed after.
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { outboxRecords } from '../../support/outbox.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';
import { historySuite, ledgerSuite, outboxSuite } from './contract.js';
import { issue, load, planRun, tap, token } from './fixtures.js';
import { fedFrom } from './pg/fed.js';

let admin: Redis;
let prefix = '';
let schema = '';
const schemas: string[] = [];

const withoutRecords = () =>
  openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, keepRecords: false });
const fed = async () => fedFrom(await withoutRecords(), schema);
const fedKeepingOutbox = async () => fedFrom(await withoutRecords(), schema, false);

beforeAll(() => {
  admin = new Redis(testEnv.redisUrl());
});

beforeEach(() => {
  prefix = uniqueId('oc');
  schema = uniqueId('h_');
  schemas.push(schema);
});

afterEach(async () => {
  await unlinkPrefix(admin, prefix);
});

afterAll(async () => {
  await admin.quit();
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
});

ledgerSuite('redis without records, history in postgres', fedKeepingOutbox);
historySuite('redis without records, history in postgres', fed);
outboxSuite('redis without records', withoutRecords);

describe('Redis store without records', () => {
  it('keeps a committed ride only in its outbox entry, and nothing of it once the entry is acked', async () => {
    const store = await withoutRecords();
    try {
      const card = await issue(store, 0x2345, 1_000);
      const [ride] = planRun(new Map([[token(0x2345), card]]), [tap({ cardToken: token(0x2345), seq: 1 })]);
      expect(await store.commit([ride!])).toMatchObject([{ status: 'applied' }]);
      // token(0x2345) lives in partition 5 of 16.
      const p = `${prefix}:{p5}`;
      const keys = (await admin.keys(`${prefix}:*`)).filter((k) => !k.includes('{meta}')).sort();
      // The card, the outbox and the tap's dedupe key in its day bucket: no records hash, index or counter.
      expect(keys).toEqual([`${p}:card:${token(0x2345)}`, `${p}:outbox`, `${p}:seen:20254`]);
      const [entry] = await store.readOutbox(5, 10);
      expect(outboxRecords([entry!])).toEqual([ride!.record]);
      await store.ackOutbox(5, entry!.id);
      expect(await admin.xlen(`${p}:outbox`)).toBe(0);
      expect(await store.readOutbox(5, 10)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('relays the entries written before the switch too, their records read from the records hash', async () => {
    const before = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix });
    const card = await issue(before, 0x2345, 1_000);
    const [first] = planRun(new Map([[token(0x2345), card]]), [tap({ cardToken: token(0x2345), seq: 1 })]);
    await before.commit([first!]);
    await before.close();
    const store = await withoutRecords();
    try {
      const [second] = planRun(new Map([[token(0x2345), await load(store, token(0x2345))]]), [
        tap({ cardToken: token(0x2345), seq: 2 }),
      ]);
      await store.commit([second!]);
      expect(outboxRecords(await store.readOutbox(5, 10))).toEqual([first!.record, second!.record]);
    } finally {
      await store.close();
    }
  });
});
