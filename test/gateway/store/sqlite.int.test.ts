// The store contract against SQLite: each test gets a new database file in a temp folder; a
// second store on the same file stands for a second gateway process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { HOUR_MS } from '../../../gateway/src/stats/rides.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { decodeRecordBatch } from '../../../protos/record-codec.js';
import { uniqueId } from '../../support/env.js';
import { storeContract } from './contract.js';
import { issue, load, planRun, rideOf, T0, tap, token, topUpOf } from './fixtures.js';

const H0 = Math.floor(T0 / HOUR_MS) * HOUR_MS;

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
    await first.changeList('deny', 'all', [{ key: token(1), value: 'lost' }], 1);
    await first.close();
    const again = await openSqliteStore({ file });
    expect((await again.loadCards([token(1)])).get(token(1))).toMatchObject({
      balanceFen: 1_234,
      version: 1,
    });
    expect(await again.listVersion('deny', 'all')).toBe(1);
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

  it('drops the fare-forgone counter of a file written before decision 0162, counting the subsidy from then on', async () => {
    const first = await openSqliteStore({ file });
    const senior = await issue(first, 1, 10_000, ConcessionFlag.SENIOR);
    await first.commit([rideOf(senior, tap({ cardToken: token(1), seq: 1 }))]);
    await first.close();
    // As the file was before: a forgone_fen counter, and records without subsidyFen.
    const old = new Database(file);
    old.exec(`DROP TABLE stats; CREATE TABLE stats (operator TEXT NOT NULL, hour INTEGER NOT NULL,
      line TEXT NOT NULL, concession TEXT NOT NULL, rides INTEGER NOT NULL, denied INTEGER NOT NULL,
      charged_fen INTEGER NOT NULL, free INTEGER NOT NULL, forgone_fen INTEGER NOT NULL,
      PRIMARY KEY (operator, hour, line, concession)) WITHOUT ROWID`);
    old.prepare("INSERT INTO stats VALUES ('bus-co', ?, 'r1', 'senior_free', 1, 0, 0, 1, 200)").run(H0);
    old.exec(`UPDATE records SET body = json_remove(body, '$.subsidyFen')`);
    old.close();

    const store = await openSqliteStore({ file });
    const [stored] = (await store.queryRecords({ limit: 10 })).items;
    expect(stored).toMatchObject({ concession: 'senior_free', subsidyFen: 200 });
    const before = await store.queryStats({ from: H0, to: H0 + HOUR_MS });
    expect(before.byConcession).toEqual([
      { concession: 'senior_free', rides: 1, denied: 0, chargedFen: 0, free: 1, subsidyFen: 0 },
    ]);
    await store.commit([rideOf(await load(store, token(1)), tap({ cardToken: token(1), seq: 2 }))]);
    const after = await store.queryStats({ from: H0, to: H0 + HOUR_MS });
    expect(after.byConcession).toMatchObject([{ concession: 'senior_free', rides: 2, subsidyFen: 200 }]);
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

  it('moves the deny list of a file written before it was a list kind, versions and times kept (0184)', async () => {
    const old = new Database(file);
    old.exec(`CREATE TABLE deny (token TEXT PRIMARY KEY, reason TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE deny_log (version INTEGER PRIMARY KEY, token TEXT NOT NULL, added INTEGER NOT NULL,
        reason TEXT NOT NULL, at INTEGER NOT NULL)`);
    const log = old.prepare('INSERT INTO deny_log VALUES (?, ?, ?, ?, ?)');
    log.run(1, token(1), 1, 'lost', T0 + 1);
    log.run(2, token(2), 1, 'frozen', T0 + 2);
    log.run(3, token(1), 0, 'lost', T0 + 3);
    old.prepare("INSERT INTO deny VALUES (?, 'frozen')").run(token(2));
    old.close();
    const store = await openSqliteStore({ file });
    expect(await store.listVersion('deny', 'all')).toBe(3);
    expect(await store.listChangesSince('deny', 'all', 1, 10)).toEqual([
      { version: 2, at: T0 + 2, changes: [{ key: token(2), value: 'frozen' }] },
      { version: 3, at: T0 + 3, changes: [{ key: token(1), value: '' }] },
    ]);
    expect((await store.listEntriesPage('deny', 'all', '', 10)).entries).toEqual([
      { key: token(2), value: 'frozen' },
    ]);
    expect(await store.changeList('deny', 'all', [{ key: token(3), value: 'lost' }], T0 + 4)).toMatchObject({
      version: 4,
    });
    await store.close();
    const tables = new Database(file).prepare(`SELECT name FROM sqlite_master WHERE name LIKE 'deny%'`).all();
    expect(tables).toEqual([]);
  });

  it('writes one outbox row per commit: the RecordBatch of the records it applied, in order', async () => {
    const store = await openSqliteStore({ file });
    const card = await issue(store, 1);
    const rides = planRun(
      new Map([[token(1), card]]),
      [1, 2, 3].map((seq) => tap({ cardToken: token(1), seq })),
    );
    await store.commit(rides);
    const entries = await store.readOutbox(0, 10);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.count).toBe(3);
    expect(decodeRecordBatch(entries[0]!.batch)).toEqual(rides.map((e) => e.record));
    await store.close();
  });

  it('relays the outbox rows of a file written before 0209 (a record id each) as one-record batches', async () => {
    const first = await openSqliteStore({ file });
    const ride1 = rideOf(await issue(first, 1), tap({ cardToken: token(1), seq: 1 }));
    await first.commit([ride1]);
    await first.close();
    // As the file was before: the outbox named the record, whose JSON is in records.
    const old = new Database(file);
    old.exec(`DROP TABLE outbox; CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL);
      INSERT INTO outbox (record_id) VALUES ('${ride1.record.id}')`);
    old.close();
    const store = await openSqliteStore({ file });
    const ride2 = rideOf(await load(store, token(1)), tap({ cardToken: token(1), seq: 2 }));
    await store.commit([ride2]);
    const entries = await store.readOutbox(0, 10);
    expect(entries.map((e) => [e.count, decodeRecordBatch(e.batch)])).toEqual([
      [1, [ride1.record]],
      [1, [ride2.record]],
    ]);
    expect(entries[0]!.committedAt).toBe(ride1.record.committedAt);
    await store.ackOutbox(0, entries[0]!.id);
    expect((await store.readOutbox(0, 10)).map((e) => e.id)).toEqual([entries[1]!.id]);
    await store.close();
  });

  it('keeps its store generation when opened again, and begins another once it is deleted (a restore)', async () => {
    const first = await openSqliteStore({ file });
    const generation = await first.listGeneration();
    await first.close();
    const again = await openSqliteStore({ file });
    expect(await again.listGeneration()).toBe(generation);
    await again.close();
    const db = new Database(file);
    db.exec(`DELETE FROM store_meta WHERE key = 'list_generation'`);
    db.close();
    const restored = await openSqliteStore({ file });
    expect(await restored.listGeneration()).not.toBe(generation);
    await restored.close();
  });

  it('runs in memory with one outbox partition', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    await issue(store, 1);
    expect(store.outboxPartitions()).toBe(1);
    await store.close();
  });
});
