// Writes records into the PostgreSQL history (docs/decisions/0190): one transaction per batch,
// idempotent by record id. Per batch, in this order:
//   1. create the partitions of days not seen yet (pg/partitions.ts);
//   2. INSERT ... ON CONFLICT DO NOTHING RETURNING id: the ids that are new;
//   3. add only those records to the per-hour ride counters;
//   4. COMMIT.
// A batch written again (the consumer crashed before committing its Kafka offsets, the relay
// resent a page) inserts nothing and counts nothing, so at-least-once delivery from Kafka gives
// exactly-once tables.
import type pg from 'pg';
import type { LedgerRecord } from '../../../../core/ledger.js';
import { metrics, type StatCounts, type StatRow, statOf } from '../../stats/rides.js';
import { createPartitions, dayOf } from './partitions.js';

export interface WriteResult {
  /** Records new to the tables. */
  inserted: number;
  /** Records already there (or twice in the batch): skipped. */
  duplicates: number;
}

const INSERT = `INSERT INTO records (id, at, kind, card, masked, device, operator, route, station, stop, body)
  SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
  ON CONFLICT DO NOTHING RETURNING id`;

const PROGRESS = `INSERT INTO history_progress (partition, up_to)
  SELECT * FROM unnest($1::int4[], $2::int8[])
  ON CONFLICT (partition) DO UPDATE SET up_to = GREATEST(history_progress.up_to, excluded.up_to)`;

const BUMP = `INSERT INTO ride_stats
  (operator, hour, line, concession, rides, denied, charged_fen, free, subsidy_fen)
  SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::int8[], $6::int8[],
    $7::int8[], $8::int8[], $9::int8[])
  ON CONFLICT (operator, hour, line, concession) DO UPDATE SET
  rides = ride_stats.rides + excluded.rides, denied = ride_stats.denied + excluded.denied,
  charged_fen = ride_stats.charged_fen + excluded.charged_fen, free = ride_stats.free + excluded.free,
  subsidy_fen = ride_stats.subsidy_fen + excluded.subsidy_fen`;

/** PostgreSQL's "no partition of relation found for row": a day dropped by another process. */
const NO_PARTITION = '23514';

export class PgHistoryWriter {
  /** Days known to have a partition; forgotten when an insert finds one missing. */
  private readonly days = new Set<number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { aheadDays?: number } = {},
  ) {}

  /** Creates the partitions of today and the next aheadDays days (default 2). */
  async prepare(now: number): Promise<void> {
    const today = dayOf(now);
    const days = Array.from({ length: (this.options.aheadDays ?? 2) + 1 }, (_, i) => today + i);
    await this.transaction((c, made) => this.ensureDays(c, days, made));
  }

  /**
   * Writes the records (any order, any days) in one transaction; idempotent by record id.
   * progress: per records-topic partition, the newest commit time in this batch (raised, never
   * lowered, in the same transaction).
   */
  async write(
    records: readonly LedgerRecord[],
    progress?: ReadonlyMap<number, number>,
  ): Promise<WriteResult> {
    if (records.length === 0 && !progress?.size) return { inserted: 0, duplicates: 0 };
    const work = async (c: pg.PoolClient, made: number[]) => {
      const result = await this.writeIn(c, records, made);
      if (progress?.size) {
        const parts = [...progress.keys()].sort((a, b) => a - b);
        await c.query(PROGRESS, [parts, parts.map((p) => progress.get(p)!)]);
      }
      return result;
    };
    try {
      return await this.transaction(work);
    } catch (err) {
      if ((err as { code?: string }).code !== NO_PARTITION) throw err;
      this.days.clear();
      return this.transaction(work);
    }
  }

  private async writeIn(
    client: pg.PoolClient,
    records: readonly LedgerRecord[],
    made: number[],
  ): Promise<WriteResult> {
    if (records.length === 0) return { inserted: 0, duplicates: 0 };
    // One row per id, sorted: concurrent writers then lock rows in the same order (no deadlock).
    const byId = new Map<string, LedgerRecord>();
    for (const r of records) if (!byId.has(r.id)) byId.set(r.id, r);
    const batch = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const days = new Set(batch.map((r) => dayOf(r.at)));
    await this.ensureDays(
      client,
      [...days].filter((d) => !this.days.has(d)),
      made,
    );
    const col = <T>(f: (r: LedgerRecord) => T) => batch.map(f);
    const { rows } = await client.query<{ id: string }>(INSERT, [
      col((r) => r.id),
      col((r) => r.at),
      col((r) => r.kind),
      col((r) => r.cardToken),
      col((r) => r.cardMasked),
      col((r) => r.deviceId),
      col((r) => r.operatorId),
      col((r) => r.routeId),
      col((r) => r.stationId),
      col((r) => r.stopId),
      col((r) => JSON.stringify(r)),
    ]);
    const fresh = rows.map((row) => byId.get(row.id)!);
    await this.bump(client, fresh);
    return { inserted: fresh.length, duplicates: records.length - fresh.length };
  }

  /** Adds the new records to their hour buckets, summed per bucket first (one row each). */
  private async bump(client: pg.PoolClient, fresh: readonly LedgerRecord[]): Promise<void> {
    const buckets = new Map<string, StatRow>();
    for (const r of fresh) {
      const s = statOf(r);
      if (!s) continue;
      const key = JSON.stringify([s.operatorId, s.hour, s.line, s.concession]);
      const b = buckets.get(key);
      if (!b) buckets.set(key, s);
      else for (const m of metrics) b[m] += s[m];
    }
    if (buckets.size === 0) return;
    const rows = [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
    const col = <T>(f: (s: StatRow) => T) => rows.map(f);
    const count = (m: keyof StatCounts) => col((s) => s[m]);
    await client.query(BUMP, [
      col((s) => s.operatorId),
      col((s) => s.hour),
      col((s) => s.line),
      col((s) => s.concession),
      count('rides'),
      count('denied'),
      count('chargedFen'),
      count('free'),
      count('subsidyFen'),
    ]);
  }

  private async ensureDays(client: pg.PoolClient, days: readonly number[], made: number[]): Promise<void> {
    if (days.length === 0) return;
    await createPartitions(client, days);
    made.push(...days);
  }

  /** Runs work in a transaction; the days it made partitions for are remembered once it commits. */
  private async transaction<T>(work: (client: pg.PoolClient, made: number[]) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const made: number[] = [];
    try {
      await client.query('BEGIN');
      const result = await work(client, made);
      await client.query('COMMIT');
      for (const d of made) this.days.add(d);
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}
