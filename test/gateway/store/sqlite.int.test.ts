// The store contract against SQLite: each test gets a new database file in a temp folder; a
// second store on the same file stands for a second gateway process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { uniqueId } from '../../support/env.js';
import { storeContract } from './contract.js';
import { issue, load, token, topUpOf } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'onecard-store-'));
let file = '';

beforeEach(() => {
  file = join(dir, `${uniqueId('store')}.db`);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

storeContract('sqlite', () => openSqliteStore({ file }));

describe('SQLite store', () => {
  it('keeps its data when the file is opened again', async () => {
    const first = await openSqliteStore({ file });
    await issue(first, 1, 1_234);
    await first.changeDenyList(token(1), true, 'lost', 1);
    await first.close();
    const again = await openSqliteStore({ file });
    expect((await again.loadCards([token(1)])).get(token(1))).toMatchObject({
      balanceFen: 1_234,
      version: 1,
    });
    expect(await again.denyListVersion()).toBe(1);
    await again.close();
  });

  it('adds the fare column to a file written before the tariff engine, keeping its cards', async () => {
    const old = new Database(file);
    old.exec(`CREATE TABLE cards (token TEXT PRIMARY KEY, balance INTEGER NOT NULL, version INTEGER NOT NULL,
      status TEXT NOT NULL, flags INTEGER NOT NULL, masked TEXT NOT NULL, region TEXT NOT NULL) WITHOUT ROWID`);
    old.prepare("INSERT INTO cards VALUES (?, 700, 4, 'active', 0, 'A12****01', '500100')").run(token(1));
    old.close();
    const store = await openSqliteStore({ file });
    expect(await load(store, token(1))).toMatchObject({ balanceFen: 700, version: 4, fare: {} });
    await store.commit([topUpOf(await load(store, token(1)), 'q1', 300)]);
    expect(await load(store, token(1))).toMatchObject({ balanceFen: 1_000, version: 5 });
    await store.close();
  });

  it('indexes the open entries of a file written before the sweep (docs/decisions/0113)', async () => {
    const old = new Database(file);
    old.exec(`CREATE TABLE cards (token TEXT PRIMARY KEY, balance INTEGER NOT NULL, version INTEGER NOT NULL,
      status TEXT NOT NULL, flags INTEGER NOT NULL, masked TEXT NOT NULL, region TEXT NOT NULL,
      fare TEXT NOT NULL DEFAULT '') WITHOUT ROWID`);
    const put = old.prepare("INSERT INTO cards VALUES (?, 700, 4, 'active', 0, 'A12****01', '500100', ?)");
    put.run(token(1), '{"open":{"n":"bj-metro","s":"bj-xidan","t":1750000000000,"c":0}}');
    put.run(token(2), '');
    put.run(token(3), '{"unf":{"n":"bj-metro","s":"bj-xidan","t":1750000000000,"c":700}}');
    old.close();
    const store = await openSqliteStore({ file });
    expect(await store.openEntries({ partition: 0, before: Number.MAX_SAFE_INTEGER, limit: 10 })).toEqual([
      { cardToken: token(1), at: 1_750_000_000_000 },
    ]);
    await store.close();
  });

  it('bounds the dead letters of a file written before the bounds, oldest (its own) first', async () => {
    const old = new Database(file);
    old.exec(`CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL,
      reason TEXT NOT NULL, payload BLOB NOT NULL, at INTEGER NOT NULL)`);
    const put = old.prepare('INSERT INTO dead_letters (topic, reason, payload, at) VALUES (?, ?, ?, 1)');
    for (let i = 0; i < 3; i++) put.run(`old/${i}`, 'r', Buffer.alloc(400));
    old.close();
    const store = await openSqliteStore({ file });
    const bounds = { maxCount: 100, maxBytes: 1000, maxPayloadBytes: 100 };
    const letter = { topic: 'new', reason: 'r', payload: Buffer.alloc(10), at: 2 };
    // 3 × 406 bytes already there: with the new letter (14 bytes) the oldest must go.
    expect(await store.putDeadLetter(letter, bounds)).toEqual({ dropped: 1 });
    expect((await store.deadLetters(10)).map((l) => [l.topic, l.payloadBytes])).toEqual([
      ['new', 10],
      ['old/2', 400],
      ['old/1', 400],
    ]);
    await store.close();
  });

  it('runs in memory with one outbox partition', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    await issue(store, 1);
    expect(store.outboxPartitions()).toBe(1);
    await store.close();
  });
});
