// HistoryStore on PostgreSQL (docs/decisions/0190): the records and ride counters the history
// consumer wrote (pg/writer.ts), read with the same filters, order and cursors as the SQLite and
// Redis stores (the history contract suite runs against all three).
import type pg from 'pg';
import type { LedgerRecord } from '../../../../core/ledger.js';
import { withSubsidy } from '../../../../core/subsidy.js';
import type { StatCounts, StatSummary } from '../../stats/rides.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { HistoryStore, RecordPage, RecordQuery } from '../ports/history.js';

/** The WHERE clause of a records query and its parameters ($1...). */
export function recordWhere(q: RecordQuery): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  if (q.cardToken !== undefined) add((n) => `card = ${n}`, q.cardToken);
  if (q.cardMasked !== undefined) add((n) => `masked = ${n}`, q.cardMasked);
  if (q.deviceId !== undefined) add((n) => `device = ${n}`, q.deviceId);
  if (q.stationId !== undefined) add((n) => `station = ${n}`, q.stationId);
  if (q.stopId !== undefined) add((n) => `stop = ${n}`, q.stopId);
  if (q.routeId !== undefined) add((n) => `route = ${n}`, q.routeId);
  if (q.operatorId !== undefined) add((n) => `operator = ${n}`, q.operatorId);
  // The time bounds also prune the day partitions a query reads.
  if (q.from !== undefined) add((n) => `at >= ${n}`, q.from);
  if (q.to !== undefined) add((n) => `at < ${n}`, q.to);
  if (q.kinds !== undefined) add((n) => `kind = ANY(${n}::text[])`, q.kinds);
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    params.push(c.at, c.id);
    conditions.push(`(at, id) < ($${params.length - 1}::int8, $${params.length}::text)`);
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

const SUMS = `sum(rides)::int8 AS rides, sum(denied)::int8 AS denied,
  sum(charged_fen)::int8 AS "chargedFen", sum(free)::int8 AS free, sum(subsidy_fen)::int8 AS "subsidyFen"`;

type Counted<K extends string> = Record<K, string | number> & Record<keyof StatCounts, string>;

/** int8 arrives as a string (it may pass 2^53); counters and hours stay far below. */
function counts<K extends string>(row: Counted<K>): StatCounts {
  return {
    rides: Number(row.rides),
    denied: Number(row.denied),
    chargedFen: Number(row.chargedFen),
    free: Number(row.free),
    subsidyFen: Number(row.subsidyFen),
  };
}

export class PgHistoryStore implements HistoryStore {
  constructor(private readonly pool: pg.Pool) {}

  async queryRecords(q: RecordQuery): Promise<RecordPage> {
    const { where, params } = recordWhere(q);
    // One row more than asked tells whether another page exists.
    const { rows } = await this.pool.query<{ body: string }>(
      `SELECT body FROM records ${where} ORDER BY at DESC, id DESC LIMIT $${params.length + 1}`,
      [...params, q.limit + 1],
    );
    const items = rows.slice(0, q.limit).map((r) => withSubsidy(JSON.parse(r.body) as LedgerRecord));
    const last = items.at(-1);
    return rows.length > q.limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
  }

  /**
   * Records up to: the oldest, over the records-topic partitions, of the newest commit time
   * written from each (history_progress); undefined before the first batch.
   */
  async recordsUpTo(): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ up_to: string | null }>(
      'SELECT min(up_to) AS up_to FROM history_progress',
    );
    return rows[0]?.up_to === null || rows[0] === undefined ? undefined : Number(rows[0].up_to);
  }

  /** Three GROUP BYs over the per-hour counters, never over the records. */
  async queryStats(q: { operatorId?: string; from: number; to: number }): Promise<StatSummary> {
    const where =
      q.operatorId === undefined ? 'hour >= $1 AND hour < $2' : 'hour >= $1 AND hour < $2 AND operator = $3';
    const params = q.operatorId === undefined ? [q.from, q.to] : [q.from, q.to, q.operatorId];
    const by = async <K extends string>(column: K, order: string) => {
      const { rows } = await this.pool.query<Counted<K>>(
        `SELECT ${column}, ${SUMS} FROM ride_stats WHERE ${where} GROUP BY ${column} ORDER BY ${order}`,
        params,
      );
      return rows;
    };
    const [hours, lines, groups] = await Promise.all([
      by('hour', 'hour'),
      by('line', 'rides DESC, line'),
      by('concession', 'rides DESC, concession'),
    ]);
    return {
      byHour: hours.map((r) => ({ hour: Number(r.hour), ...counts(r) })),
      byLine: lines.map((r) => ({ line: String(r.line), ...counts(r) })),
      byConcession: groups.map((r) => ({ concession: String(r.concession), ...counts(r) })),
    };
  }
}
