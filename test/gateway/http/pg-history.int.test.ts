// With ONECARD_HISTORY=postgres the operator's record search, the CSV export, a holder's records
// and the ride statistics read PostgreSQL (docs/decisions/0190): records written there by the
// history writer, and never committed to this gateway's store, are what the routes answer.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { HOUR_MS } from '../../../gateway/src/stats/rides.js';
import { openPgPool } from '../../../gateway/src/store/pg/connect.js';
import { PgHistoryStore } from '../../../gateway/src/store/pg/history.js';
import { PgHistoryWriter } from '../../../gateway/src/store/pg/writer.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { T0, token } from '../store/fixtures.js';
import { rides } from '../store/pg/records.js';
import { startTestHttp, type TestHttp } from './harness.js';

const H0 = Math.floor(T0 / HOUR_MS) * HOUR_MS;
const schema = uniqueId('g_');
let pool: pg.Pool;
let http: TestHttp;
let records: LedgerRecord[];

beforeAll(async () => {
  pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 2 });
  // Bus rides of the fixtures' operator 'bus-co' renamed to the harness tenant 'busco'.
  records = rides(12, H0 + 60_000, 60_000, 3).map((r) => ({ ...r, operatorId: 'busco' }));
  const upTo = Math.max(...records.map((r) => r.committedAt));
  await new PgHistoryWriter(pool).write(records, new Map([[0, upTo]]));
  const history = new PgHistoryStore(pool);
  http = await startTestHttp({ history, historyUpTo: () => history.recordsUpTo() });
});

afterAll(async () => {
  await http?.close();
  await pool.end();
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

async function get(as: string, url: string) {
  const r = await http.app.inject({ method: 'GET', url, headers: await http.as(as) });
  return { status: r.statusCode, body: r.body };
}

describe('gateway reading history from PostgreSQL', () => {
  it('answers the record search and the CSV export from PostgreSQL', async () => {
    // The store is empty: every record below came from PostgreSQL.
    expect((await http.store.queryRecords({ limit: 10 })).items).toEqual([]);
    const page = await get('busco-ops', `/v1/records?card=${token(1)}&limit=100`);
    expect(page.status).toBe(200);
    const want = records.filter((r) => r.cardToken === token(1)).map((r) => r.id);
    expect((JSON.parse(page.body) as { items: LedgerRecord[] }).items.map((r) => r.id).sort()).toEqual(
      want.sort(),
    );
    const csv = await get('busco-ops', `/v1/records.csv?from=${H0}&to=${H0 + HOUR_MS}`);
    expect(csv.status).toBe(200);
    // A header line and one line per record.
    expect(csv.body.trim().split('\r\n')).toHaveLength(1 + records.length);
  });

  it('says how far the history reaches, for the console’s "records up to"', async () => {
    const upTo = await get('busco-ops', '/v1/records/up-to');
    expect(upTo.status).toBe(200);
    expect(JSON.parse(upTo.body)).toEqual({
      source: 'postgres',
      upToMs: Math.max(...records.map((r) => r.committedAt)),
    });
  });

  it('answers the ride statistics from the hourly counters in PostgreSQL', async () => {
    const stats = await get('busco-ops', `/v1/stats?from=${H0}&to=${H0 + HOUR_MS}`);
    expect(stats.status).toBe(200);
    expect(JSON.parse(stats.body)).toMatchObject({
      byHour: [{ hour: H0, rides: 12, chargedFen: 2_400 }],
    });
  });
});
