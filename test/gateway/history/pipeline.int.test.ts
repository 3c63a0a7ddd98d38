// The whole way, on the real services: a gateway's SQLite store commits rides and a top-up, the
// outbox relay publishes them to Kafka, the history process writes PostgreSQL; afterwards
// PostgreSQL answers record queries and ride statistics exactly as the store that committed them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { HOUR_MS } from '../../../gateway/src/stats/rides.js';
import type { RecordQuery } from '../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { issue, load, planRun, T0, tap, token, topUpOf } from '../store/fixtures.js';
import { startPipeline } from './pipeline.js';

const H0 = Math.floor(T0 / HOUR_MS) * HOUR_MS;
const schema = uniqueId('p_');
const dir = mkdtempSync(join(tmpdir(), 'onecard-pipeline-'));
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

it('answers from PostgreSQL what the committing store answers, records and statistics', async () => {
  const store = await openSqliteStore({ file: join(dir, 'gateway.db') });
  cleanups.push(() => store.close());
  const cards = new Map<string, CardState>();
  for (const n of [0, 1, 2, 3, 4]) cards.set(token(n), await issue(store, n, 50_000));
  const taps = Array.from({ length: 120 }, (_, i) =>
    tap({
      cardToken: token(i % 5),
      seq: i + 1,
      deviceId: `bus-${i % 4}`,
      routeId: i % 3 === 0 ? 'r2' : 'r1',
      deviceTimeMs: H0 + i * 60_000,
    }),
  );
  await store.commit(planRun(cards, taps));
  await store.commit([topUpOf(await load(store, token(0)), 'q1', 1_000, H0 + 30_000)]);

  const { history, pgHistory } = await startPipeline(store, schema, cleanups);
  const deadline = Date.now() + 40_000;
  while (history.stats().written < 121) {
    if (Date.now() > deadline) throw new Error(`history has ${history.stats().written} of 121 records`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const queries: RecordQuery[] = [
    { limit: 500 },
    { cardToken: token(0), limit: 500 },
    { deviceId: 'bus-2', routeId: 'r1', limit: 500 },
    { from: H0 + HOUR_MS, to: H0 + 90 * 60_000, limit: 500 },
  ];
  for (const q of queries) expect(await pgHistory.queryRecords(q)).toEqual(await store.queryRecords(q));
  const period = { from: H0, to: H0 + 3 * HOUR_MS };
  expect(await pgHistory.queryStats(period)).toEqual(await store.queryStats(period));
});
