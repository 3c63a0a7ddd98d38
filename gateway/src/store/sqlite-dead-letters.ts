// The SQLite store's dead letters, bounded (docs/decisions/0160): the insert, the running totals
// and the pruning of the oldest letters are one transaction, so the bounds hold after every put.
import type Database from 'better-sqlite3';
import { checkBounds, keptLetter } from './dead-letters.js';
import type { DeadLetter, DeadLetterBounds, KeptDeadLetter } from './port.js';

const table = `
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  reason TEXT NOT NULL,
  payload BLOB NOT NULL,
  at INTEGER NOT NULL
);
-- One row: letters kept and their bytes, so a put costs no scan of the table.
CREATE TABLE IF NOT EXISTS dead_letter_totals (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  count INTEGER NOT NULL,
  bytes INTEGER NOT NULL
);
`;

/** Columns added with the bounds; a file written before them gets them, filled from the rows. */
const added: Array<[string, string, string]> = [
  ['payload_bytes', 'INTEGER NOT NULL DEFAULT 0', 'length(payload)'],
  ['payload_sha256', "TEXT NOT NULL DEFAULT ''", "''"],
  [
    'bytes',
    'INTEGER NOT NULL DEFAULT 0',
    'length(payload) + length(CAST(topic AS BLOB)) + length(CAST(reason AS BLOB))',
  ],
];

export function deadLetterSchema(db: Database.Database): void {
  db.exec(table);
  const columns = new Set((db.pragma('table_info(dead_letters)') as { name: string }[]).map((c) => c.name));
  for (const [name, type, fill] of added)
    if (!columns.has(name)) {
      db.exec(`ALTER TABLE dead_letters ADD COLUMN ${name} ${type}`);
      db.exec(`UPDATE dead_letters SET ${name} = ${fill}`);
    }
  db.exec(
    `INSERT OR IGNORE INTO dead_letter_totals (id, count, bytes)
     SELECT 1, COUNT(*), COALESCE(SUM(bytes), 0) FROM dead_letters`,
  );
}

interface Row {
  topic: string;
  reason: string;
  payload: Buffer;
  at: number;
  payload_bytes: number;
  payload_sha256: string;
}

export class SqliteDeadLetters {
  private readonly putTx: Database.Transaction<(letter: DeadLetter, bounds: DeadLetterBounds) => number>;

  constructor(private readonly db: Database.Database) {
    const insert = db.prepare(
      `INSERT INTO dead_letters (topic, reason, payload, at, payload_bytes, payload_sha256, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const add = db.prepare(
      'UPDATE dead_letter_totals SET count = count + ?, bytes = bytes + ? WHERE id = 1 RETURNING count, bytes',
    );
    const oldest = db.prepare('SELECT id, bytes FROM dead_letters ORDER BY id LIMIT 1');
    const remove = db.prepare('DELETE FROM dead_letters WHERE id = ?');
    this.putTx = db.transaction((letter: DeadLetter, bounds: DeadLetterBounds) => {
      const { kept, bytes } = keptLetter(letter, bounds);
      insert.run(
        kept.topic,
        kept.reason,
        kept.payload,
        kept.at,
        kept.payloadBytes,
        kept.payloadSha256,
        bytes,
      );
      let totals = add.get(1, bytes) as { count: number; bytes: number };
      let dropped = 0;
      while (totals.count > 0 && (totals.count > bounds.maxCount || totals.bytes > bounds.maxBytes)) {
        const o = oldest.get() as { id: number; bytes: number };
        remove.run(o.id);
        totals = add.get(-1, -o.bytes) as { count: number; bytes: number };
        dropped++;
      }
      return dropped;
    });
  }

  put(letter: DeadLetter, bounds: DeadLetterBounds): { dropped: number } {
    checkBounds(bounds);
    return { dropped: this.putTx(letter, bounds) };
  }

  list(limit: number): KeptDeadLetter[] {
    const rows = this.db
      .prepare(
        'SELECT topic, reason, payload, at, payload_bytes, payload_sha256 FROM dead_letters ORDER BY id DESC LIMIT ?',
      )
      .all(Math.max(0, limit)) as Row[];
    return rows.map((r) => ({
      topic: r.topic,
      reason: r.reason,
      payload: r.payload,
      at: r.at,
      payloadBytes: r.payload_bytes,
      payloadSha256: r.payload_sha256,
    }));
  }
}
