// The device's memory of the cards it has seen (core/entry/history.ts CardHistory): bounded in
// RAM by an LRU cache, persisted in a small SQLite table so that a reboot does not reopen the
// anti-passback window, reset the entries per day or forget offline spending not yet confirmed.
//
// DECISION (docs/decisions/0081-edge-card-history.md): write-through on every allowed passage,
// in the journal's file but on its own connection with synchronous=NORMAL (WAL): a power cut
// may lose the last moments of history (the journal itself, fsynced, loses nothing), which at
// worst lets one card pass a gate twice; an extra fsync per tap is not worth that. A row is
// pruned once it can no longer change a decision: older than the longest window (a day and a
// bit) and with no spending still unconfirmed.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { type CardHistory, emptyHistory } from '../../../core/entry/history.js';

export interface HistoryStore {
  get(token: string): CardHistory;
  set(token: string, history: CardHistory, now: number): void;
  /** Deletes persisted rows that cannot change a decision any more; returns how many. */
  prune(now: number, lastAckedSeq: number): number;
  close(): void;
}

/** Rows untouched for this long cannot affect anti-passback (≤ 1 day) or a day's count. */
export const HISTORY_KEEP_MS = 49 * 3600_000;

export class MemoryHistory implements HistoryStore {
  private readonly cache: LRUCache<string, CardHistory>;
  constructor(maxCards: number) {
    this.cache = new LRUCache({ max: maxCards });
  }
  get(token: string): CardHistory {
    return this.cache.get(token) ?? emptyHistory;
  }
  set(token: string, history: CardHistory): void {
    this.cache.set(token, history);
  }
  prune(): number {
    return 0;
  }
  close(): void {}
}

const schema = `
CREATE TABLE IF NOT EXISTS card_history (
  token BLOB PRIMARY KEY,
  history TEXT NOT NULL,
  updated INTEGER NOT NULL,
  pending_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS card_history_by_updated ON card_history (updated);
`;

/** An LRU of recently seen cards in front of the table: a miss costs one point lookup. */
export class SqliteHistory implements HistoryStore {
  private readonly cache: LRUCache<string, CardHistory>;
  private readonly db: Database.Database;
  private readonly q;

  /** `onError`: a failed write is reported, never thrown: the tap is journaled, the gate must open. */
  constructor(
    file: string,
    maxCards: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 2000');
    this.db.exec(schema);
    this.cache = new LRUCache({ max: maxCards });
    this.q = {
      get: this.db.prepare<[Buffer], string>('SELECT history FROM card_history WHERE token = ?').pluck(),
      put: this.db.prepare<[Buffer, string, number, number]>(
        'INSERT OR REPLACE INTO card_history (token, history, updated, pending_seq) VALUES (?, ?, ?, ?)',
      ),
      prune: this.db.prepare<[number, number]>(
        'DELETE FROM card_history WHERE updated < ? AND pending_seq <= ?',
      ),
    };
  }

  get(token: string): CardHistory {
    const hit = this.cache.get(token);
    if (hit) return hit;
    const row = this.q.get.get(Buffer.from(token, 'hex'));
    const history = row === undefined ? emptyHistory : parse(row);
    this.cache.set(token, history);
    return history;
  }

  set(token: string, history: CardHistory, now: number): void {
    this.cache.set(token, history);
    try {
      this.q.put.run(Buffer.from(token, 'hex'), JSON.stringify(history), now, history.unconfirmedUptoSeq);
    } catch (err) {
      this.onError(err);
    }
  }

  prune(now: number, lastAckedSeq: number): number {
    try {
      // The cache keeps what it holds: a pruned row cannot change a decision anyway.
      return this.q.prune.run(now - HISTORY_KEEP_MS, lastAckedSeq).changes;
    } catch (err) {
      this.onError(err);
      return 0;
    }
  }

  close(): void {
    this.db.close();
  }
}

/** A corrupt row must not stop the gate: it reads as no history (and is overwritten next pass). */
function parse(row: string): CardHistory {
  try {
    const h = JSON.parse(row) as Partial<CardHistory>;
    return { ...emptyHistory, ...h };
  } catch {
    return emptyHistory;
  }
}
