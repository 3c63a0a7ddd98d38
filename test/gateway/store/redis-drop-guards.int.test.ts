// What `redis:drop-records` (docs/decisions/0212) keeps and refuses, on a real Redis and
// PostgreSQL: the visits an old card (no uses yet, 0203) may still derive its uses from stay,
// so the derivation answers the same after the run; every refusal has its code and changes
// nothing; the command as an operator runs it (a child process) prints its refusal, its progress
// and its summary, and a run killed part-way then run again ends as one run.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TapInput } from '../../../core/ledger.js';
import { planVisit, planVisitCounting } from '../../../core/visit.js';
import { withDerivedUses } from '../../../gateway/src/ingest/visits.js';
import { openPgPool } from '../../../gateway/src/store/pg/connect.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { runDropRecords } from '../../../gateway/src/store/redis-drop-command.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { encodeRecordBatch } from '../../../protos/record-codec.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';
import { asHashCard } from '../../support/redis-old-card.js';
import { commitRides, DAY_MS, feedPg, PgHistoryWriter, relayAll, snapshot, without } from './drop-fixture.js';
import { issue, load, rideOf, T0, tap, token } from './fixtures.js';

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

const env = (more: Record<string, string> = {}) => ({
  ONECARD_STORE: 'redis',
  ONECARD_REDIS_URL: testEnv.redisUrl(),
  ONECARD_REDIS_KEY_PREFIX: prefix,
  ONECARD_HISTORY: 'postgres',
  ONECARD_PG_URL: testEnv.pgUrl(),
  ONECARD_PG_SCHEMA: schema,
  ...more,
});

const visit = (n: number, seq: number, at: number): TapInput =>
  tap({
    cardToken: token(n),
    seq,
    operatorId: 'park-co',
    deviceId: 'gate-1',
    routeId: '',
    stopId: '',
    venueId: 'park-1',
    direction: 'entry',
    record: 'visit',
    edgeReason: 'TICKET_ADMITTED',
    entitlementId: `t${n}`,
    deviceTimeMs: at,
  });

describe('redis:drop-records keeps', () => {
  it('the visits a card without uses may derive them from (0203); the derivation answers the same after', async () => {
    const now = T0 + 2 * DAY_MS;
    const keys = new RedisKeys(prefix, 2);
    // Card 1 from before 0203 (a hash without uses, as a gateway before 0214 left it; its first
    // commit below makes it a string with an empty uses field): a recent visit, a visit older than any tap the
    // window still plans reads, and a ride. Card 2 has its uses: its visit can go.
    await issue(store, 1);
    await asHashCard(admin, keys.card(token(1)), ['u']);
    const commitOne = async (
      plan: (c: Awaited<ReturnType<typeof load>>) => Parameters<Store['commit']>[0][0],
    ) =>
      expect(await store.commit([plan(await load(store, token(1)))])).toMatchObject([{ status: 'applied' }]);
    await commitOne((c) => planVisit(c, visit(1, 1, T0), 0, T0));
    await commitOne((c) => planVisit(c, visit(1, 2, T0 - 45 * DAY_MS), 0, T0));
    await commitOne((c) => rideOf(c, tap({ cardToken: token(1), seq: 3 })));
    const two = await issue(store, 2);
    await store.commit([planVisitCounting(two, visit(2, 4, T0), T0)]);
    await relayAll(store);
    const all = (await store.queryRecords({ limit: 100 })).items;
    await feedPg(new PgHistoryWriter(pool), all);
    const derive = async () =>
      (await withDerivedUses(store, [visit(1, 9, now)], await store.loadCards([token(1)]), now)).get(
        token(1),
      )!.uses;
    const derivedBefore = await derive();
    expect(derivedBefore).toHaveLength(1);

    const answer = await runDropRecords(env(), [], now);
    expect(answer).toMatchObject({
      ok: true,
      summary: { recordsSeen: 4, recordsDeleted: 3, kept: { forEntitlementUses: 1, missingInPostgres: 0 } },
    });
    expect((await store.queryRecords({ limit: 100 })).items.map((r) => r.id)).toEqual(['tap:gate-1:1']);
    expect(await derive()).toEqual(derivedBefore);
  });
});

describe('redis:drop-records refuses, changing nothing', () => {
  it.each([
    ['HISTORY_IN_STORE', { ONECARD_HISTORY: 'store' }, []],
    ['NOT_REDIS_STORE', { ONECARD_STORE: 'sqlite' }, []],
    ['CONFIG', { ONECARD_PG_URL: '' }, []],
    ['CONFIG', { ONECARD_REDIS_URL: '' }, []],
    ['USAGE', {}, ['--page', '0']],
    ['USAGE', {}, ['--everything']],
    ['NO_STORE', { ONECARD_REDIS_KEY_PREFIX: 'nothing-here' }, []],
    ['NO_HISTORY_TABLES', { ONECARD_PG_SCHEMA: 'no_such_schema' }, []],
  ] as const)('%s (%o %o)', async (code, more, args) => {
    const records = await commitRides(store, 20);
    await feedPg(new PgHistoryWriter(pool), records);
    const before = await snapshot(admin, prefix);
    const answer = await runDropRecords(env(more), args, T0 + 60 * DAY_MS);
    expect(answer).toMatchObject({ ok: false, problem: { code, title: 'refused' } });
    expect(await snapshot(admin, prefix)).toEqual(before);
  });

  it('is not held back by an outbox of batch entries, which carry their records (0209)', async () => {
    const records = await commitRides(store, 20);
    await feedPg(new PgHistoryWriter(pool), records);
    // Waiting to be relayed, as commitEffects writes it: the records' batch and their count.
    const keys = new RedisKeys(prefix, store.outboxPartitions());
    await admin.xadd(keys.outbox(0), '*', 'b', encodeRecordBatch(records.slice(0, 2)), 'n', '2');
    const answer = await runDropRecords(env(), [], T0 + 60 * DAY_MS);
    expect(answer).toMatchObject({ ok: true, summary: { recordsDeleted: 20 } });
    expect(await admin.xlen(keys.outbox(0))).toBe(1);
  });

  it('OUTBOX_NOT_RELAYED while an outbox holds an entry whose record is in the records hash', async () => {
    const records = await commitRides(store, 20);
    await feedPg(new PgHistoryWriter(pool), records);
    // One more ride, committed but not relayed yet, its outbox entry as a gateway keeping records
    // wrote it before 0209: its record's id only (the record is in the records hash).
    const card = await load(store, token(0));
    const ride = rideOf(card, tap({ cardToken: token(0), seq: 99 }));
    await store.commit([ride]);
    await relayAll(store);
    const keys = new RedisKeys(prefix, store.outboxPartitions());
    await admin.xadd(keys.outbox(keys.partitionOf(token(0))), '*', 'i', ride.record.id);
    const before = await snapshot(admin, prefix);
    const answer = await runDropRecords(env(), [], T0 + 60 * DAY_MS);
    expect(answer).toMatchObject({ ok: false, problem: { code: 'OUTBOX_NOT_RELAYED' } });
    expect(await snapshot(admin, prefix)).toEqual(before);
  });
});

/** The command as the operator runs it; resolves with its exit code and output. */
function command(
  envVars: Record<string, string>,
  args: string[],
  onStderr?: (text: string, kill: () => void) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(testEnv.root, 'scripts/redis-drop-records.ts'), ...args],
    {
      cwd: testEnv.root,
      env: { PATH: process.env.PATH ?? '', ...envVars },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, () => child.kill('SIGKILL'));
  });
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

describe('npm run redis:drop-records', () => {
  it('prints its refusal as problem+json and exits 2', async () => {
    const run = await command(env({ ONECARD_HISTORY: 'store' }), []);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ code: 'HISTORY_IN_STORE', status: 409 });
    expect(run.stderr).toMatch(/refused \(HISTORY_IN_STORE\)/);
  }, 30_000);

  it('killed part-way, then run again: ends as one run, progress on stderr and the summary on stdout', async () => {
    const records = await commitRides(store, 320);
    const fed = records.filter((r) => r.seq % 3 !== 0);
    await feedPg(new PgHistoryWriter(pool), fed);
    const before = await snapshot(admin, prefix);
    // Killed once the first partition is reported done, in the second's walk of one-record
    // pages (on a box too loaded to deliver the signal within it, the run ends first: code 0).
    const killed = await command(env(), ['--page', '1'], (text, kill) => {
      if (text.includes('partition 1/2')) kill();
    });
    expect(killed.signal === 'SIGKILL' || killed.code === 0).toBe(true);
    const again = await command(env(), ['--page', '50']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/\[drop-records\] done: \d+ of \d+ records deleted, 106 not in PostgreSQL/);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ complete: true, kept: { missingInPostgres: 106 } });
    expect(summary.memory).toEqual({
      usedBefore: expect.any(Number),
      usedAfter: expect.any(Number),
      freed: expect.any(Number),
    });
    expect(await snapshot(admin, prefix)).toEqual(without(before, new Set(fed.map((r) => r.id))));
  }, 60_000);
});
