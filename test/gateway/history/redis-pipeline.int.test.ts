// The whole way with the Redis store that keeps no records (docs/decisions/0204): its outbox
// entries carry the records to the relay, which publishes them to Kafka and trims the outbox;
// the history process writes PostgreSQL. Afterwards PostgreSQL answers record queries and ride
// statistics exactly as a SQLite store that committed the same effects and kept them, and Redis
// holds no record, index, counter or outbox entry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { HOUR_MS } from '../../../gateway/src/stats/rides.js';
import type { RecordQuery } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { issue, load, planRun, T0, tap, token, topUpOf } from '../store/fixtures.js';
import { startPipeline } from './pipeline.js';

const H0 = Math.floor(T0 / HOUR_MS) * HOUR_MS;
const schema = uniqueId('p_');
const prefix = uniqueId('oc');
const dir = mkdtempSync(join(tmpdir(), 'onecard-redis-pipeline-'));
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const admin = new Redis(testEnv.redisUrl());
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.unlink(...keys);
  await admin.quit();
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

it('carries every record through the outbox to PostgreSQL and leaves none of them in Redis', async () => {
  const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, keepRecords: false });
  cleanups.push(() => store.close());
  // The same effects committed where records are kept: what PostgreSQL must answer.
  const kept = await openSqliteStore({ file: join(dir, 'kept.db') });
  cleanups.push(() => kept.close());
  const cards = new Map<string, CardState>();
  for (const n of [0, 1, 2, 3, 4]) {
    cards.set(token(n), await issue(store, n, 50_000));
    await issue(kept, n, 50_000);
  }
  const taps = Array.from({ length: 120 }, (_, i) =>
    tap({
      cardToken: token(i % 5),
      seq: i + 1,
      deviceId: `bus-${i % 4}`,
      routeId: i % 3 === 0 ? 'r2' : 'r1',
      deviceTimeMs: H0 + i * 60_000,
    }),
  );
  const rides = planRun(cards, taps);
  for (const target of [store, kept]) await target.commit(rides);
  const topUp = topUpOf(await load(store, token(0)), 'q1', 1_000, H0 + 30_000);
  for (const target of [store, kept])
    expect(await target.commit([topUp])).toMatchObject([{ status: 'applied' }]);

  const { history, pgHistory } = await startPipeline(store, schema, cleanups);
  const outboxEmpty = async () => {
    for (let p = 0; p < store.outboxPartitions(); p++)
      if ((await store.readOutbox(p, 1)).length > 0) return false;
    return true;
  };
  const deadline = Date.now() + 40_000;
  while (history.stats().written < 121 || !(await outboxEmpty())) {
    if (Date.now() > deadline) throw new Error(`history has ${history.stats().written} of 121 records`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const queries: RecordQuery[] = [
    { limit: 500 },
    { cardToken: token(0), limit: 500 },
    { deviceId: 'bus-2', routeId: 'r1', limit: 500 },
    { from: H0 + HOUR_MS, to: H0 + 90 * 60_000, limit: 500 },
  ];
  for (const q of queries) expect(await pgHistory.queryRecords(q)).toEqual(await kept.queryRecords(q));
  const period = { from: H0, to: H0 + 3 * HOUR_MS };
  expect(await pgHistory.queryStats(period)).toEqual(await kept.queryStats(period));
  // Redis itself answers nothing: it holds no record, index or counter.
  expect((await store.queryRecords({ limit: 10 })).items).toEqual([]);
  const admin = new Redis(testEnv.redisUrl());
  cleanups.push(() => admin.quit().then(() => undefined));
  const left = await admin.keys(`${prefix}:*`);
  expect(left.filter((k) => /:(rec|ix:.*|st:.*)$/.test(k))).toEqual([]);
});
