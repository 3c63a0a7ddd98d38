// Day partitions of the records table (docs/decisions/0191). The writer creates a day's
// partition before it writes the day's first record (and the coming days ahead of time, so the
// usual write does no DDL); retention detaches and drops whole days, never deletes rows. Both
// take one advisory lock inside their transaction, so two consumers never race on the DDL.
import type pg from 'pg';

export const DAY_MS = 86_400_000;
const LOCK = "SELECT pg_advisory_xact_lock(hashtext('onecard-history-partitions'))";
const NAME = /^records_d(\d{8})$/;

/** UTC day number (days since 1970-01-01) of a time in Unix ms. */
export function dayOf(at: number): number {
  return Math.floor(at / DAY_MS);
}

/** records_dYYYYMMDD: readable in psql, and sortable. */
export function partitionName(day: number): string {
  return `records_d${new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export function dayOfPartition(name: string): number | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [y, mo, d] = [m[1]!.slice(0, 4), m[1]!.slice(4, 6), m[1]!.slice(6, 8)];
  return dayOf(Date.parse(`${y}-${mo}-${d}T00:00:00Z`));
}

/** Creates the partitions of these days that do not exist yet; call inside a transaction. */
export async function createPartitions(client: pg.ClientBase, days: Iterable<number>): Promise<void> {
  await client.query(LOCK);
  for (const day of new Set(days)) {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF records
       FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`,
    );
  }
}

/** The days that have a partition, oldest first. */
export async function partitionDays(client: pg.ClientBase | pg.Pool): Promise<number[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.oid = 'records'::regclass`,
  );
  return rows
    .map((r) => dayOfPartition(r.name))
    .filter((d): d is number => d !== undefined)
    .sort((a, b) => a - b);
}

/**
 * Retention: every partition whose whole day lies before `before` (Unix ms) is detached, then
 * dropped, in one transaction. Returns the days dropped. A query running on a partition holds
 * it; the detach waits for it rather than pulling rows from under it.
 */
export async function dropPartitionsBefore(pool: pg.Pool, before: number): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(LOCK);
    const old = (await partitionDays(client)).filter((day) => (day + 1) * DAY_MS <= before);
    for (const day of old) {
      await client.query(`ALTER TABLE records DETACH PARTITION ${partitionName(day)}`);
      await client.query(`DROP TABLE ${partitionName(day)}`);
    }
    await client.query('COMMIT');
    return old;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
