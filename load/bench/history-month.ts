// history_card_query_p95_ms and history_route_day_stats_ms over a generated month of ride
// records in PostgreSQL (issue 10 item 5): the same tables, indexes and queries as the history
// the consumer writes (store/pg/schema.sql, store/pg/history.ts), filled straight in SQL
// (INSERT … SELECT over generate_series, a day's records per batch of statements) rather than
// through Kafka: 10 M records through the consumer would take the bench's whole budget, and the
// ingest rate is measured on its own (history-ingest.ts). The month is kept in a schema of its
// own and reused by the next run when its version (generator + size) matches.
import type pg from 'pg';
import { openPgPool } from '../../gateway/src/store/pg/connect.js';
import { PgHistoryStore } from '../../gateway/src/store/pg/history.js';
import { createPartitions, DAY_MS, dayOf } from '../../gateway/src/store/pg/partitions.js';
import { percentile, progress, round } from './stats.js';

/** Bump when the generator changes: an older month is then dropped and made again. */
const GENERATOR = 'month-v1';
const DAYS = 30;
/** A fixed month (2026-11-01 onwards): the same rows every time, so runs compare. */
const FIRST_DAY = dayOf(Date.parse('2026-11-01T00:00:00Z'));
const BATCH = 100_000;
const INDEXES = [
  'records_by_card',
  'records_by_masked',
  'records_by_device',
  'records_by_operator',
  'records_by_route',
  'records_by_station',
  'records_by_stop',
  'records_by_time',
  'records_by_time_brin',
];

/** Rows g in [lo, hi) of day d: a rider card per g (cards recur over the month), times in order. */
const ROWS = `INSERT INTO records (id, at, kind, card, masked, device, operator, route, station, stop, body)
  SELECT r.id, r.at, 'ride', r.card, 'B00****00', r.device, 'benchco', r.route, '', r.stop,
    json_build_object('id', r.id, 'kind', 'ride', 'cardToken', r.card, 'cardMasked', 'B00****00',
      'operatorId', 'benchco', 'deviceId', r.device, 'seq', r.g, 'routeId', r.route, 'stopId', r.stop,
      'stationId', '', 'venueId', '', 'direction', 'board', 'credential', 'card', 'at', r.at,
      'committedAt', r.at, 'edgeDecision', 'allow', 'edgeReason', 'OK', 'offline', false,
      'concession', 'none', 'baseFen', 200, 'chargedFen', 200, 'lines', '[]'::json, 'subsidyFen', 0,
      'amountFen', -200, 'balanceAfterFen', 10000, 'outcome', 'charged', 'reason', 'OK')::text
  FROM (SELECT g, 'tap:gen-' || (g % 2000) || ':m:' || g AS id,
      $1::int8 + (g - $6::int8) * $4::int8 AS at,
      lpad(to_hex((g * 7919) % $5::int8), 8, '0') || 'cccccccccccccccccccccccc' AS card,
      'gen-' || (g % 2000) AS device, 'r' || (g % 300) AS route, 's' || (g % 40) AS stop
    FROM generate_series($2::int8, $3::int8 - 1) AS g) AS r`;

/** The per-hour counters of one day, as the consumer would have kept them. */
const STATS = `INSERT INTO ride_stats (operator, hour, line, concession, rides, denied, charged_fen, free, subsidy_fen)
  SELECT operator, at - at % 3600000, route, 'none', count(*), 0, 200 * count(*), 0, 0
  FROM records WHERE at >= $1 AND at < $2 GROUP BY 1, 2, 3`;

export function cardOf(i: number, cards: number): string {
  return `${((i * 7919) % cards).toString(16).padStart(8, '0')}${'c'.repeat(24)}`;
}

async function ensureMonth(pool: pg.Pool, schema: string, records: number, cards: number): Promise<boolean> {
  const version = `${GENERATOR}:${records}:${cards}`;
  await pool.query('CREATE TABLE IF NOT EXISTS bench_month_meta (version text NOT NULL)');
  const { rows } = await pool.query<{ version: string }>('SELECT version FROM bench_month_meta');
  if (rows[0]?.version === version) return true;
  const client = await pool.connect();
  try {
    await client.query('TRUNCATE records, ride_stats, bench_month_meta');
    // Indexes are built once after the load, not row by row during it (much faster).
    for (const ix of INDEXES) await client.query(`DROP INDEX IF EXISTS ${schema}.${ix}`);
    await client.query('BEGIN');
    await createPartitions(
      client,
      Array.from({ length: DAYS }, (_, i) => FIRST_DAY + i),
    );
    await client.query('COMMIT');
    const perDay = Math.ceil(records / DAYS);
    const step = Math.floor(DAY_MS / perDay);
    const show = progress(`history: generating a month of ${records} records (kept for the next run)`);
    for (let d = 0; d < DAYS; d++) {
      const day0 = (FIRST_DAY + d) * DAY_MS;
      const lo = d * perDay;
      const hi = Math.min(records, lo + perDay);
      for (let a = lo; a < hi; a += BATCH) {
        // Rows a … end of the day that starts at row lo: times run on from the day's first row.
        await client.query(ROWS, [day0, a, Math.min(hi, a + BATCH), step, cards, lo]);
        show(Math.min(hi, a + BATCH), records);
      }
      await client.query(STATS, [day0, day0 + DAY_MS]);
    }
  } finally {
    client.release();
  }
  return false;
}

export async function historyMonthBench(o: {
  pgUrl: string;
  records: number;
  queries: number;
  log: (s: string) => void;
  /** Default: bench_month for a full month, bench_month_<records> for a smaller one. */
  schema?: string;
}): Promise<Record<string, number | boolean>> {
  const schema = o.schema ?? (o.records >= 10_000_000 ? 'bench_month' : `bench_month_${o.records}`);
  const cards = Math.max(1000, Math.floor(o.records / 10));
  let pool = await openPgPool({ url: o.pgUrl, schema, max: 2 });
  const reused = await ensureMonth(pool, schema, o.records, cards);
  if (!reused) {
    await pool.end();
    // schema.sql again: makes the indexes dropped for the load, over the loaded rows.
    o.log('  history: indexing the month');
    pool = await openPgPool({ url: o.pgUrl, schema, max: 2 });
    await pool.query('ANALYZE records');
    await pool.query('ANALYZE ride_stats');
    await pool.query('INSERT INTO bench_month_meta (version) VALUES ($1)', [
      `${GENERATOR}:${o.records}:${cards}`,
    ]);
  }
  try {
    const store = new PgHistoryStore(pool);
    // A holder's records page (newest 20 of the month), one random rider card each time.
    const card: number[] = [];
    for (let i = 0; i < o.queries; i++) {
      const t = performance.now();
      await store.queryRecords({
        cardToken: cardOf(Math.floor(Math.random() * o.records), cards),
        limit: 20,
      });
      card.push(performance.now() - t);
    }
    // An operator's ride statistics of one day (by hour, by route, by concession: the rollups).
    const stats: number[] = [];
    for (let i = 0; i < Math.min(50, o.queries); i++) {
      const day = (FIRST_DAY + (i % DAYS)) * DAY_MS;
      const t = performance.now();
      await store.queryStats({ operatorId: 'benchco', from: day, to: day + DAY_MS });
      stats.push(performance.now() - t);
    }
    card.sort((a, b) => a - b);
    stats.sort((a, b) => a - b);
    return {
      history_card_query_p95_ms: round(percentile(card, 95)),
      history_route_day_stats_ms: round(percentile(stats, 50)),
      history_month_records: o.records,
      history_month_reused: reused,
    };
  } finally {
    await pool.end();
  }
}
