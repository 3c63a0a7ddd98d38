import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEpoch, LEGACY_EPOCH } from '../../../core/epoch.js';
import { openSqliteJournal } from '../../../edge-agent/src/journal/sqlite.js';
import { journalContract, tapRecord } from './contract.js';

journalContract('SQLite adapter (temp file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-journal-'));
  const file = join(dir, 'nested', 'journal.db');
  return {
    open: () => openSqliteJournal(file),
    lose: () => rmSync(join(dir, 'nested'), { recursive: true, force: true }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SQLite journal from before epochs (schema 1)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'onecard-journal-v1-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A journal file as agents before epochs wrote it, its seq counter at lastSeq. */
  const v1Journal = (lastSeq: number): string => {
    const file = join(dir, 'journal.db');
    const db = new Database(file);
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO meta (key, value) VALUES ('last_seq', ${lastSeq}), ('last_acked_seq', 0);
      CREATE TABLE taps (seq INTEGER PRIMARY KEY, tap BLOB NOT NULL);
    `);
    db.pragma('user_version = 1');
    db.close();
    return file;
  };

  it('keeps the legacy epoch when it numbered taps already, and goes on from its seq', () => {
    const journal = openSqliteJournal(v1Journal(7));
    expect(journal.epoch()).toBe(LEGACY_EPOCH);
    expect(journal.append(tapRecord()).seq).toBe(8);
    journal.close();
  });

  it('draws an epoch when it never numbered a tap', () => {
    const journal = openSqliteJournal(v1Journal(0));
    expect(isEpoch(journal.epoch())).toBe(true);
    journal.close();
  });
});
