// The history writer and retention on a real PostgreSQL: idempotent batches, counters from new
// records only, day partitions made as records arrive, old days dropped whole.
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../../gateway/src/stats/rides.js';
import { PgHistoryStore } from '../../../../gateway/src/store/pg/history.js';
import { DAY_MS, dropPartitionsBefore, partitionDays } from '../../../../gateway/src/store/pg/partitions.js';
import { PgHistoryWriter } from '../../../../gateway/src/store/pg/writer.js';
import { testEnv, uniqueId } from '../../../support/env.js';
import { T0 } from '../fixtures.js';
import { openPg } from './fed.js';
import { rides } from './records.js';

const D0 = Math.floor(T0 / DAY_MS) * DAY_MS;
const schemas: string[] = [];
let pool: pg.Pool;
let writer: PgHistoryWriter;
let history: PgHistoryStore;

beforeEach(async () => {
  const schema = uniqueId('w_');
  schemas.push(schema);
  pool = await openPg(schema);
  writer = new PgHistoryWriter(pool);
  history = new PgHistoryStore(pool);
});

afterEach(async () => {
  await pool.end();
});

afterAll(async () => {
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
});

async function count(table: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

describe('PostgreSQL history writer', () => {
  it('writes a batch once: again, reordered, overlapping or doubled within, it adds nothing', async () => {
    const batch = rides(20, D0 + 3 * HOUR_MS, 60_000);
    expect(await writer.write(batch)).toEqual({ inserted: 20, duplicates: 0 });
    expect(await writer.write([...batch].reverse())).toEqual({ inserted: 0, duplicates: 20 });
    const more = rides(10, D0 + 4 * HOUR_MS, 60_000, 4, 21);
    expect(await writer.write([...batch.slice(15), ...more, ...more])).toEqual({
      inserted: 10,
      duplicates: 15,
    });
    expect(await count('records')).toBe(30);
    const stats = await history.queryStats({ from: D0, to: D0 + DAY_MS });
    expect(stats.byHour).toEqual([
      { hour: D0 + 3 * HOUR_MS, rides: 20, denied: 0, chargedFen: 4_000, free: 0, subsidyFen: 0 },
      { hour: D0 + 4 * HOUR_MS, rides: 10, denied: 0, chargedFen: 2_000, free: 0, subsidyFen: 0 },
    ]);
  });

  it('counts once when two writers write the same records at the same time', async () => {
    const batch = rides(200, D0 + HOUR_MS, 1_000);
    const other = new PgHistoryWriter(pool);
    const results = await Promise.all([writer.write(batch), other.write([...batch].reverse())]);
    expect(results.map((r) => r.inserted).reduce((a, b) => a + b)).toBe(200);
    expect((await history.queryStats({ from: D0, to: D0 + DAY_MS })).byHour).toMatchObject([{ rides: 200 }]);
  });

  it('makes the partitions of the days its records fall on, and of the coming days ahead', async () => {
    await writer.prepare(D0 + 5 * HOUR_MS);
    const day0 = D0 / DAY_MS;
    expect(await partitionDays(pool)).toEqual([day0, day0 + 1, day0 + 2]);
    // An offline device's taps from a week ago arrive today: their day gets its partition.
    await writer.write(rides(3, D0 - 7 * DAY_MS, 1_000));
    expect(await partitionDays(pool)).toEqual([day0 - 7, day0, day0 + 1, day0 + 2]);
    const { rows } = await pool.query<{ table: string; n: string }>(
      'SELECT tableoid::regclass::text AS table, count(*) AS n FROM records GROUP BY 1',
    );
    expect(rows).toEqual([
      {
        table: `records_d${new Date(D0 - 7 * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`,
        n: '3',
      },
    ]);
  });
});

describe('PostgreSQL history retention', () => {
  it('drops whole days older than the cut-off, keeping later days and the hourly counters', async () => {
    const days = [0, 1, 2, 3].map((d) => rides(5, D0 + d * DAY_MS + HOUR_MS, 1_000, 4, 1 + d * 5));
    for (const batch of days) await writer.write(batch);
    const day0 = D0 / DAY_MS;
    // The cut-off inside day 2: days 0 and 1 end before it and go; day 2 stays whole.
    expect(await dropPartitionsBefore(pool, D0 + 2 * DAY_MS + HOUR_MS)).toEqual([day0, day0 + 1]);
    expect(await partitionDays(pool)).toEqual([day0 + 2, day0 + 3]);
    const { items } = await history.queryRecords({ limit: 100 });
    expect(items.map((r) => r.id).sort()).toEqual([...days[2]!, ...days[3]!].map((r) => r.id).sort());
    // The counters are a few rows per hour and line: kept for the statistics of any period.
    expect((await history.queryStats({ from: D0, to: D0 + 4 * DAY_MS })).byHour).toHaveLength(4);
    // Detached and dropped: no table of those days is left behind.
    const { rows } = await pool.query(
      "SELECT relname FROM pg_class WHERE relname LIKE 'records_d%' AND relkind = 'r' AND relnamespace = current_schema()::regnamespace",
    );
    expect(rows).toHaveLength(2);
    // A late record of a dropped day is written again into a new partition, not lost.
    expect(await writer.write(rides(1, D0 + HOUR_MS, 1_000, 1, 99))).toEqual({ inserted: 1, duplicates: 0 });
    expect(await dropPartitionsBefore(pool, D0 + DAY_MS)).toEqual([day0]);
  });
});
