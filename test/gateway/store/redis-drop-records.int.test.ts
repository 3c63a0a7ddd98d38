// `redis:drop-records` (docs/decisions/0212) on a real Redis and a real PostgreSQL: a store that
// kept its records, part of them in the history. Exactly the records PostgreSQL holds leave
// Redis, with every index entry; the rest stay and are counted; a second run, a dry run and a
// run cut after a page then run again end as one run; once the consumer has caught up, the next
// run empties the records, indexes and counters, and PostgreSQL answers every record and
// statistic as Redis did. Each test its own key prefix and PostgreSQL schema.
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { cardTokenHex, maskCardNumber } from '../../../core/pii.js';
import { openPgPool } from '../../../gateway/src/store/pg/connect.js';
import { PgHistoryStore } from '../../../gateway/src/store/pg/history.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { runDropRecords } from '../../../gateway/src/store/redis-drop-command.js';
import type { DropSummary } from '../../../gateway/src/store/redis-drop-records.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';
import { startTestHttp, TOKEN_KEY } from '../http/harness.js';
import {
  CARDS,
  commitRides,
  DAY_MS,
  feedPg,
  PgHistoryWriter,
  relayAll,
  snapshot,
  without,
} from './drop-fixture.js';
import { load, newCard, planRun, T0, tap, token } from './fixtures.js';

const NOW = T0 + 60 * DAY_MS;
const RIDES = 320;
/** A card number of the right shape (a letter and eight digits), made up. */
const HOLDER_CARD = 'Q98765432';

let admin: Redis;
let prefix = '';
let schema = '';
let store: Store;
let pool: pg.Pool;
const schemas: string[] = [];

beforeAll(() => {
  admin = new Redis(testEnv.redisUrl());
});

beforeEach(async () => {
  prefix = uniqueId('oc');
  schema = uniqueId('h_');
  schemas.push(schema);
  // Two partitions of 160 records: each records hash outgrows a listpack (128 entries), so HSCAN pages.
  store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, partitions: 2 });
  pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 2 });
});

afterEach(async () => {
  await store.close();
  await pool.end();
  await unlinkPrefix(admin, prefix);
});

afterAll(async () => {
  await admin.quit();
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
});

/** The gateways' settings after the switch (deploy/env/gateway.env's keys). */
const env = () => ({
  ONECARD_STORE: 'redis',
  ONECARD_REDIS_URL: testEnv.redisUrl(),
  ONECARD_REDIS_KEY_PREFIX: prefix,
  ONECARD_HISTORY: 'postgres',
  ONECARD_PG_URL: testEnv.pgUrl(),
  ONECARD_PG_SCHEMA: schema,
});

async function drop(...args: string[]): Promise<DropSummary> {
  const answer = await runDropRecords(env(), args, NOW);
  if (!answer.ok) throw new Error(`refused: ${JSON.stringify(answer.problem)}`);
  return answer.summary;
}

/** Rides committed with records kept; those with seq % 3 != 0 written to PostgreSQL. */
async function partlyFed(): Promise<{ records: LedgerRecord[]; fed: LedgerRecord[]; unfed: LedgerRecord[] }> {
  const records = await commitRides(store, RIDES);
  const fed = records.filter((r) => r.seq % 3 !== 0);
  await feedPg(new PgHistoryWriter(pool), fed);
  return { records, fed, unfed: records.filter((r) => r.seq % 3 === 0) };
}

const ids = (rs: readonly LedgerRecord[]) => new Set(rs.map((r) => r.id));

describe('redis:drop-records', () => {
  it('deletes exactly the records PostgreSQL holds, with every index entry; keeps and counts the others', async () => {
    const { fed, unfed } = await partlyFed();
    const before = await snapshot(admin, prefix);
    const summary = await drop('--page', '50');
    expect(summary).toMatchObject({
      dryRun: false,
      complete: true,
      recordsSeen: RIDES,
      recordsDeleted: fed.length,
      kept: { missingInPostgres: unfed.length, forEntitlementUses: 0, recent: 0 },
      // Every counter hash still counts a kept ride: none goes yet.
      counterHashesDeleted: 0,
    });
    expect(summary.pages).toBeGreaterThan(2);
    expect(summary.missingSample).toHaveLength(5);
    for (const s of summary.missingSample) expect(unfed.map((r) => r.id)).toContain(s.id);
    const after = await snapshot(admin, prefix);
    expect(after).toEqual(without(before, ids(fed)));
    // Every index member that went is counted: a bus ride was in 7 zsets, a metro ride in 6.
    const members = (snap: Record<string, string[]>) =>
      Object.entries(snap).reduce((n, [k, m]) => n + (k.includes(':ix:') ? m.length : 0), 0);
    expect(summary.indexEntriesDeleted).toBe(members(before) - members(after));
    expect(summary.indexEntriesDeleted).toBeGreaterThan(fed.length * 6);
  });

  it('changes nothing the second time, nor in a dry run', async () => {
    const { fed } = await partlyFed();
    const before = await snapshot(admin, prefix);
    const dry = await drop('--dry-run');
    expect(dry).toMatchObject({ dryRun: true, complete: true, recordsDeleted: fed.length });
    expect(await snapshot(admin, prefix)).toEqual(before);
    const first = await drop();
    expect(first.recordsDeleted).toBe(dry.recordsDeleted);
    const after = await snapshot(admin, prefix);
    const second = await drop();
    expect(second).toMatchObject({
      recordsSeen: RIDES - fed.length,
      recordsDeleted: 0,
      indexEntriesDeleted: 0,
    });
    expect(await snapshot(admin, prefix)).toEqual(after);
  });

  it('a run stopped after a page, run again, ends as one run', async () => {
    const { fed } = await partlyFed();
    const before = await snapshot(admin, prefix);
    const cut = await drop('--page', '40', '--max-pages', '1');
    expect(cut).toMatchObject({ complete: false, pages: 1 });
    expect(cut.recordsDeleted).toBeGreaterThan(0);
    expect(cut.recordsDeleted).toBeLessThan(fed.length);
    const rest = await drop('--page', '40');
    expect(rest.complete).toBe(true);
    expect(cut.recordsDeleted + rest.recordsDeleted).toBe(fed.length);
    expect(await snapshot(admin, prefix)).toEqual(without(before, ids(fed)));
  });

  it('once PostgreSQL holds everything, empties the records, indexes and counters; PostgreSQL answers as Redis did', async () => {
    const { records, unfed } = await partlyFed();
    // A card a holder can sign in with (its token from the harness' key), two rides, in PostgreSQL.
    const holderToken = cardTokenHex(TOKEN_KEY, HOLDER_CARD);
    await store.issueCard({ ...newCard(0), token: holderToken, masked: maskCardNumber(HOLDER_CARD) });
    const holderRides = planRun(new Map([[holderToken, await load(store, holderToken)]]), [
      tap({ cardToken: holderToken, seq: 1001 }),
      tap({ cardToken: holderToken, seq: 1002 }),
    ]);
    await store.commit(holderRides);
    await relayAll(store);
    await feedPg(
      new PgHistoryWriter(pool),
      holderRides.map((e) => e.record),
    );
    const holderFromRedis = await store.queryRecords({ cardToken: holderToken, limit: 100 });
    expect(holderFromRedis.items).toHaveLength(2);
    // What the gateway answered from Redis with history=store.
    const cards = Array.from({ length: CARDS }, (_, n) => token(n));
    const fromRedis = await Promise.all(cards.map((t) => store.queryRecords({ cardToken: t, limit: 1000 })));
    const range = { from: T0 - DAY_MS, to: T0 + 4 * DAY_MS };
    const statsRedis = await Promise.all(
      ['bus-co', 'metro-co'].map((op) => store.queryStats({ ...range, operatorId: op })),
    );
    const before = await snapshot(admin, prefix);
    await drop();
    // The consumer catches up with the rest.
    await feedPg(new PgHistoryWriter(pool), unfed);
    const summary = await drop();
    expect(summary).toMatchObject({
      recordsSeen: unfed.length,
      recordsDeleted: unfed.length,
      complete: true,
    });
    // Two operators over three UTC days, in each of the two partitions.
    expect(summary.counterHashesDeleted).toBe(12);
    expect(summary.memory.freed).toBeGreaterThan(0);
    const left = await snapshot(admin, prefix);
    expect(Object.keys(left).filter((k) => /:(rec|ix:|st:)/.test(k))).toEqual([]);
    expect(left).toEqual(
      without(before, ids([...records, ...holderFromRedis.items]), (name) => name.includes(':st:')),
    );
    // What the gateway's history=postgres reads (Services.history) answers every record and figure.
    const history = new PgHistoryStore(pool);
    const fromPg = await Promise.all(cards.map((t) => history.queryRecords({ cardToken: t, limit: 1000 })));
    expect(fromPg).toEqual(fromRedis);
    expect(fromPg.flatMap((p) => p.items)).toHaveLength(RIDES);
    // And over HTTP, as an operator sees it from a gateway on ONECARD_HISTORY=postgres.
    const http = await startTestHttp({
      store: await openRedisStore({
        url: testEnv.redisUrl(),
        keyPrefix: prefix,
        partitions: 2,
        keepRecords: false,
      }),
      history,
    });
    try {
      for (const [i, t] of cards.entries()) {
        const r = await http.app.inject({
          url: `/v1/records?card=${t}&limit=100`,
          headers: await http.as('root'),
        });
        expect(r.statusCode).toBe(200);
        expect((JSON.parse(r.body) as { items: LedgerRecord[] }).items.map((x) => x.id)).toEqual(
          fromRedis[i]!.items.map((x) => x.id),
        );
      }
      // And the holder's own records.
      const minted = await http.app.inject({
        method: 'POST',
        url: '/v1/holder-tokens',
        headers: await http.as('ecard'),
        payload: { cardNumber: HOLDER_CARD },
      });
      expect(minted.statusCode).toBe(201);
      const mine = await http.app.inject({
        url: '/v1/holder/records',
        headers: { authorization: `Bearer ${minted.json<{ token: string }>().token}` },
      });
      expect(mine.statusCode).toBe(200);
      expect(mine.json<{ items: LedgerRecord[] }>().items.map((x) => x.id)).toEqual(
        holderFromRedis.items.map((x) => x.id),
      );
    } finally {
      await http.close();
    }
    const statsPg = await Promise.all(
      ['bus-co', 'metro-co'].map((op) => history.queryStats({ ...range, operatorId: op })),
    );
    expect(statsPg).toEqual(statsRedis);
  });

  it('keeps records younger than --older-than-days', async () => {
    const { records, fed } = await partlyFed();
    // NOW is 60 days after the first ride; 59 days keeps the rides from T0 + 1 day on.
    const young = (r: LedgerRecord) => r.at >= NOW - 59 * DAY_MS;
    const summary = await drop('--older-than-days', '59');
    expect(summary.kept.recent).toBe(records.filter(young).length);
    expect(summary.kept.recent).toBeGreaterThan(0);
    expect(summary.recordsDeleted).toBe(fed.filter((r) => !young(r)).length);
  });
});
