// The bench's generated month is history the gateway can read: the records parse as the store
// returns them, a card's page holds that card's records, the rollups count every ride, and a
// second run reuses the month instead of making it again.
import { afterAll, describe, expect, it } from 'vitest';
import { openPgPool } from '../../../gateway/src/store/pg/connect.js';
import { PgHistoryStore } from '../../../gateway/src/store/pg/history.js';
import { cardOf, historyMonthBench } from '../../../load/bench/history-month.js';
import { testEnv, uniqueId } from '../../support/env.js';

describe('bench: a generated month of history in PostgreSQL', () => {
  const schema = uniqueId('bench_month_t').toLowerCase();
  const records = 3000;
  const cards = 1000; // historyMonthBench: at least 1,000 cards
  const log = () => {};
  const pool = openPgPool({ url: testEnv.pgUrl(), schema, max: 1 });
  afterAll(async () => {
    const p = await pool;
    await p.query(`DROP SCHEMA ${schema} CASCADE`);
    await p.end();
  });

  it('generates it once, readable by the PostgreSQL history store, and reuses it on the next run', async () => {
    const first = await historyMonthBench({ pgUrl: testEnv.pgUrl(), records, queries: 5, log, schema });
    expect(first.history_month_reused).toBe(false);
    expect(first.history_card_query_p95_ms).toBeGreaterThan(0);
    const p = await pool;
    const { rows } = await p.query<{ n: string; rides: string }>(
      'SELECT (SELECT count(*) FROM records) AS n, (SELECT sum(rides) FROM ride_stats) AS rides',
    );
    expect(Number(rows[0]!.n)).toBe(records);
    expect(Number(rows[0]!.rides)).toBe(records);
    const page = await new PgHistoryStore(p).queryRecords({ cardToken: cardOf(1, cards), limit: 50 });
    expect(page.items.length).toBeGreaterThan(0);
    for (const r of page.items) {
      expect(r.cardToken).toBe(cardOf(1, cards));
      expect(r.kind).toBe('ride');
      expect(r.chargedFen).toBe(200);
    }
    const second = await historyMonthBench({ pgUrl: testEnv.pgUrl(), records, queries: 5, log, schema });
    expect(second.history_month_reused).toBe(true);
    const again = await p.query<{ n: string }>('SELECT count(*) AS n FROM records');
    expect(Number(again.rows[0]!.n)).toBe(records);
  });
});
