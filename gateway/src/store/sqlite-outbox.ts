// The SQLite store's outbox (store/ports/outbox.ts, docs/decisions/0209): one row per commit,
// carrying the RecordBatch of the records that commit applied (their frames, concatenated), so
// the relay reads the bytes it publishes without touching the records table or any JSON. One
// row per commit rather than per record: the commit already runs in one transaction, and one
// row is one insert and one Kafka message however many taps the batch carried.
import type Database from 'better-sqlite3';
import type { LedgerRecord } from '../../../core/ledger.js';
import { withSubsidy } from '../../../core/subsidy.js';
import { encodeRecordBatch } from '../../../protos/record-codec.js';
import type { OutboxEntry } from './ports/outbox.js';

/**
 * AUTOINCREMENT: ids never come back after the relay deleted every row, so they keep growing.
 * record_id is a row from before 0209 (the record itself in records; '' on a row with a batch).
 */
const schema = `
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  record_id TEXT NOT NULL,
  batch BLOB,
  n INTEGER NOT NULL DEFAULT 1,
  at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outbox_lease (
  partition INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  expires INTEGER NOT NULL
);
`;

/** Creates the tables; a file from before 0209 gets the batch columns, its rows read as before. */
export function outboxSchema(db: Database.Database): void {
  db.exec(schema);
  const columns = new Set((db.pragma('table_info(outbox)') as { name: string }[]).map((c) => c.name));
  if (!columns.has('batch')) db.exec('ALTER TABLE outbox ADD COLUMN batch BLOB');
  if (!columns.has('n')) db.exec('ALTER TABLE outbox ADD COLUMN n INTEGER NOT NULL DEFAULT 1');
  if (!columns.has('at')) db.exec('ALTER TABLE outbox ADD COLUMN at INTEGER NOT NULL DEFAULT 0');
}

interface Row {
  id: number;
  batch: Buffer | null;
  n: number;
  at: number;
  body: string | null;
  record_id: string;
}

export class SqliteOutbox {
  constructor(private readonly sql: (text: string) => Database.Statement) {}

  /** Inside the commit's transaction: the frames of the records it applied, in commit order. */
  add(frames: readonly Buffer[], committedAt: number): void {
    if (frames.length === 0) return;
    this.sql("INSERT INTO outbox (record_id, batch, n, at) VALUES ('', ?, ?, ?)").run(
      frames.length === 1 ? frames[0] : Buffer.concat(frames),
      frames.length,
      committedAt,
    );
  }

  read(limit: number): OutboxEntry[] {
    // The join finds the record only for a row from before 0209 (no batch of its own).
    const rows = this.sql(
      `SELECT o.id, o.batch, o.n, o.at, o.record_id, r.body FROM outbox o
       LEFT JOIN records r ON o.batch IS NULL AND r.id = o.record_id
       ORDER BY o.id LIMIT ?`,
    ).all(limit) as Row[];
    return rows.map((row) => {
      const id = String(row.id);
      if (row.batch) return { id, batch: row.batch, count: row.n, committedAt: row.at };
      // commit() wrote the record and its row in one transaction; a gap is data loss.
      if (!row.body) throw new Error(`outbox entry ${id}: record ${row.record_id} missing`);
      const record = withSubsidy(JSON.parse(row.body) as LedgerRecord);
      return { id, batch: encodeRecordBatch([record]), count: 1, committedAt: record.committedAt };
    });
  }

  ack(uptoId: string): void {
    if (!/^[0-9]{1,15}$/.test(uptoId)) throw new RangeError(`not an outbox id of this store: ${uptoId}`);
    this.sql('DELETE FROM outbox WHERE id <= ?').run(Number(uptoId));
  }

  /** Taken when free, expired or already ours; the WHERE leaves another owner's live lease be. */
  lease(partition: number, owner: string, ttlMs: number, now: number): boolean {
    const result = this.sql(
      `INSERT INTO outbox_lease (partition, owner, expires) VALUES (?, ?, ?)
       ON CONFLICT (partition) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
       WHERE outbox_lease.owner = excluded.owner OR outbox_lease.expires <= ?`,
    ).run(partition, owner, now + ttlMs, now);
    return result.changes === 1;
  }
}
