// The device journal in one SQLite file (better-sqlite3). WAL with synchronous=FULL: a commit
// returns only after the WAL is fsynced, so an appended tap survives a power cut the instant
// append() returns (NORMAL could lose the last transactions). See port.ts for why the append
// happens before the gate opens.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LEGACY_EPOCH } from '../../../core/epoch.js';
import type { JournalEntry, TapRecord } from '../../../core/tap.js';
import { decodeTap, encodeTap } from '../../../protos/codec.js';
import { newEpoch } from './epoch.js';
import type { Journal } from './port.js';

// 2: the journal's epoch (docs/decisions/0175).
const SCHEMA_VERSION = 2;

// meta holds counters that must outlive the rows they count: last_seq (a seq is never reused,
// even after every tap was acked and deleted) and last_acked_seq. (Journals written before the
// lists moved to lists/persist.ts also hold a deny table and a deny_version row, now unused.)
const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0), ('last_acked_seq', 0);
CREATE TABLE IF NOT EXISTS taps (seq INTEGER PRIMARY KEY, tap BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS epoch (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL);
`;

export function openSqliteJournal(file: string): Journal {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION)
    throw new Error(`journal ${file} has schema ${version}, newer than this agent's ${SCHEMA_VERSION}`);
  db.exec(schema);
  // The epoch is drawn once, when the journal is created. A journal from before epochs (schema
  // 1) that already numbered taps keeps the legacy epoch: the gateway knows those seqs without
  // one, and a new epoch would make its unacked taps new keys, charged again.
  const seqsUsed = (db.prepare(`SELECT value FROM meta WHERE key = 'last_seq'`).pluck().get() as number) > 0;
  const epoch = version === 1 && seqsUsed ? LEGACY_EPOCH : newEpoch();
  db.prepare('INSERT OR IGNORE INTO epoch (id, value) VALUES (1, ?)').run(epoch);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return new SqliteJournal(db);
}

class SqliteJournal implements Journal {
  private last: number;
  private count: number;
  private readonly epochId: string;
  private readonly q;
  private readonly appendTx: Database.Transaction<(tap: TapRecord) => JournalEntry>;
  private readonly deleteTx: Database.Transaction<(from: number, to: number) => number>;

  constructor(private readonly db: Database.Database) {
    this.q = {
      meta: db.prepare<[string], number>('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: db.prepare<[number, string]>('UPDATE meta SET value = ? WHERE key = ?'),
      insert: db.prepare<[number, Uint8Array]>('INSERT INTO taps (seq, tap) VALUES (?, ?)'),
      range: db
        .prepare<[number, number], Buffer>('SELECT tap FROM taps WHERE seq >= ? ORDER BY seq LIMIT ?')
        .pluck(),
      del: db.prepare<[number, number]>('DELETE FROM taps WHERE seq BETWEEN ? AND ?'),
      count: db.prepare<[], number>('SELECT count(*) FROM taps').pluck(),
      oldest: db.prepare<[], number | null>('SELECT min(seq) FROM taps').pluck(),
    };
    this.epochId = db.prepare<[], string>('SELECT value FROM epoch WHERE id = 1').pluck().get() ?? '';
    this.last = this.q.meta.get('last_seq') ?? 0;
    this.count = this.q.count.get() ?? 0;

    this.appendTx = db.transaction((tap: TapRecord) => {
      const entry: JournalEntry = { ...tap, seq: this.last + 1 };
      this.q.insert.run(entry.seq, encodeTap(entry));
      this.q.setMeta.run(entry.seq, 'last_seq');
      return entry;
    });
    this.deleteTx = db.transaction((from: number, to: number) => {
      const n = this.q.del.run(from, to).changes;
      if (to > (this.q.meta.get('last_acked_seq') ?? 0)) this.q.setMeta.run(to, 'last_acked_seq');
      return n;
    });
  }

  epoch(): string {
    return this.epochId;
  }

  append(tap: TapRecord): JournalEntry {
    // The in-memory counters move only once the transaction has committed.
    const entry = this.appendTx.immediate(tap);
    this.last = entry.seq;
    this.count++;
    return entry;
  }

  range(fromSeq: number, maxCount: number): JournalEntry[] {
    if (maxCount <= 0) return [];
    return this.q.range.all(fromSeq, maxCount).map(decodeTap);
  }

  deleteRange(fromSeq: number, toSeq: number): number {
    if (toSeq < fromSeq) return 0;
    const n = this.deleteTx.immediate(fromSeq, toSeq);
    this.count -= n;
    return n;
  }

  depth(): number {
    return this.count;
  }

  oldestSeq(): number | undefined {
    return this.q.oldest.get() ?? undefined;
  }

  lastSeq(): number {
    return this.last;
  }

  lastAckedSeq(): number {
    return this.q.meta.get('last_acked_seq') ?? 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
