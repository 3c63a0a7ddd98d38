// The gateway started with ONECARD_HISTORY=postgres: its record search, statistics and "records
// up to" answer from the PostgreSQL history (written here by the history writer, as the history
// process would), while its own SQLite store, which committed nothing, stays empty.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/src/app.js';
import { HOUR_MS } from '../../../gateway/src/stats/rides.js';
import { openPgPool } from '../../../gateway/src/store/pg/connect.js';
import { PgHistoryWriter } from '../../../gateway/src/store/pg/writer.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { startTestGateway } from '../../support/gateway.js';
import { bearerFor } from '../../support/operators.js';
import { T0 } from '../store/fixtures.js';
import { rides } from '../store/pg/records.js';

const H0 = Math.floor(T0 / HOUR_MS) * HOUR_MS;
const schema = uniqueId('m_');
let gw: Gateway | undefined;

afterAll(async () => {
  await gw?.stop();
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

it('reads records, statistics and how far they reach from PostgreSQL', async () => {
  const records = rides(8, H0 + 60_000, 60_000, 2);
  const upTo = Math.max(...records.map((r) => r.committedAt));
  const pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 1 });
  await new PgHistoryWriter(pool).write(records, new Map([[0, upTo]]));
  await pool.end();
  ({ gw } = await startTestGateway({
    tokenKeyHex: 'b2'.repeat(32),
    history: 'postgres',
    pgUrl: testEnv.pgUrl(),
    pgSchema: schema,
  }));
  expect((await gw.store.queryRecords({ limit: 10 })).items).toEqual([]);
  const headers = { authorization: await bearerFor(gw.url, 'admin') };
  const get = async (path: string) => (await fetch(`${gw!.url}${path}`, { headers })).json();
  expect(await get('/v1/records/up-to')).toEqual({ source: 'postgres', upToMs: upTo });
  const page = (await get('/v1/records?limit=50')) as { items: { id: string }[] };
  expect(page.items.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
  expect(await get(`/v1/stats?from=${H0}&to=${H0 + HOUR_MS}`)).toMatchObject({
    byHour: [{ hour: H0, rides: 8, chargedFen: 1_600 }],
  });
});
