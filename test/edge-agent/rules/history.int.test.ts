import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type CardHistory, emptyHistory } from '../../../core/entry/history.js';
import { HISTORY_KEEP_MS, SqliteHistory } from '../../../edge-agent/src/rules/history.js';

const T1 = 'aa'.repeat(16);
const T2 = 'bb'.repeat(16);
const NOW = Date.parse('2026-11-23T02:00:00Z');
const seen: CardHistory = { ...emptyHistory, lastEntryMs: NOW, entriesToday: 1, used: [['t1', 1]] };

describe('card history persisted in the journal file', () => {
  const dirs: string[] = [];
  const fileIn = () => {
    const dir = mkdtempSync(join(tmpdir(), 'onecard-history-'));
    dirs.push(dir);
    return join(dir, 'edge.db');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('survives a restart: a reopened store answers with what was set', () => {
    const file = fileIn();
    const a = new SqliteHistory(file, 100);
    a.set(T1, seen, NOW);
    a.close();
    const b = new SqliteHistory(file, 100);
    expect(b.get(T1)).toEqual(seen);
    expect(b.get(T2)).toEqual(emptyHistory);
    b.close();
  });

  it('holds at most maxCards in memory and reads the rest from the table', () => {
    const store = new SqliteHistory(fileIn(), 100);
    for (let i = 0; i < 300; i++)
      store.set(i.toString(16).padStart(32, '0'), { ...seen, entriesToday: i }, NOW);
    expect(store.get('0'.repeat(32)).entriesToday).toBe(0); // evicted from the LRU, read back
    expect(store.get((299).toString(16).padStart(32, '0')).entriesToday).toBe(299);
    store.close();
  });

  it('prunes rows that can no longer change a decision, keeps spending not yet confirmed', () => {
    const file = fileIn();
    const store = new SqliteHistory(file, 100);
    store.set(T1, seen, NOW - HISTORY_KEEP_MS - 1);
    store.set(T2, { ...seen, unconfirmedFen: 200, unconfirmedUptoSeq: 9 }, NOW - HISTORY_KEEP_MS - 1);
    expect(store.prune(NOW, 8)).toBe(1);
    store.close();
    const reopened = new SqliteHistory(file, 100);
    expect(reopened.get(T1)).toEqual(emptyHistory);
    expect(reopened.get(T2).unconfirmedFen).toBe(200);
    expect(reopened.prune(NOW, 9)).toBe(1);
    reopened.close();
  });

  it('reports a failed write instead of throwing (the tap is journaled; the gate must open), and decides from memory', () => {
    const errors: unknown[] = [];
    const store = new SqliteHistory(fileIn(), 100, (err) => errors.push(err));
    store.close(); // every write now fails
    expect(() => store.set(T1, seen, NOW)).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(store.get(T1)).toEqual(seen);
  });

  it('reads a corrupt row as no history rather than stopping the gate', () => {
    const file = fileIn();
    new SqliteHistory(file, 100).close();
    const db = new Database(file);
    db.prepare('INSERT INTO card_history VALUES (?, ?, ?, 0)').run(Buffer.from(T1, 'hex'), '{nope', NOW);
    db.close();
    const store = new SqliteHistory(file, 100);
    expect(store.get(T1)).toEqual(emptyHistory);
    store.close();
  });
});
