// Single-use tickets and reservations: the ids of those that admitted someone, kept durably on
// the device (a table in the journal's SQLite file, synchronous=FULL), so a reboot never
// admits the same ticket twice. Rows older than a few days are dropped at start-up: a ticket
// is valid on one day only, so an old id can never be presented successfully again.
import Database from 'better-sqlite3';

const KEEP_DAYS = 3;

export interface UsedTickets {
  has(idHex: string): boolean;
  /** Durable when it returns. */
  add(idHex: string, day: number): void;
  close(): void;
}

export function openUsedTickets(file: string, today: number): UsedTickets {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 2000');
  db.exec(
    'CREATE TABLE IF NOT EXISTS qr_used_tickets (id BLOB PRIMARY KEY, day INTEGER NOT NULL) WITHOUT ROWID',
  );
  db.prepare('DELETE FROM qr_used_tickets WHERE day < ?').run(today - KEEP_DAYS);
  const has = db.prepare<[Buffer], number>('SELECT 1 FROM qr_used_tickets WHERE id = ?').pluck();
  const add = db.prepare<[Buffer, number]>('INSERT OR IGNORE INTO qr_used_tickets (id, day) VALUES (?, ?)');
  return {
    has: (idHex) => has.get(Buffer.from(idHex, 'hex')) !== undefined,
    add: (idHex, day) => {
      add.run(Buffer.from(idHex, 'hex'), day);
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}
