// A store whose history is PostgreSQL, fed as production feeds it: the ledger, devices and
// outbox are a SQLite store (or the Redis store that keeps no records); after every commit the outbox's records are written to PostgreSQL
// by the history writer (what the consumer does with a page of the records topic) and acked.
// Each page is written twice, as a relay resend or a consumer restart would: the history
// contract must hold under replay. Reads of history go to PostgreSQL only.
import type pg from 'pg';
import { openPgPool } from '../../../../gateway/src/store/pg/connect.js';
import { PgHistoryStore } from '../../../../gateway/src/store/pg/history.js';
import { PgHistoryWriter } from '../../../../gateway/src/store/pg/writer.js';
import type {
  DeviceStore,
  HistoryStore,
  LedgerStore,
  OutboxStore,
  StoreConnection,
} from '../../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../../gateway/src/store/sqlite.js';
import { testEnv } from '../../../support/env.js';
import { outboxRecords } from '../../../support/outbox.js';

export type FedStore = LedgerStore & HistoryStore & DeviceStore & StoreConnection;

/** The pools opened for a schema, so a test can drop the schema after closing them. */
export async function openPg(schema: string): Promise<pg.Pool> {
  return openPgPool({ url: testEnv.pgUrl(), schema, max: 2 });
}

/** Moves everything in the outbox to PostgreSQL, twice per page, then acks it. */
export async function feed(outbox: OutboxStore, writer: PgHistoryWriter): Promise<void> {
  for (let p = 0; p < outbox.outboxPartitions(); p++) {
    for (;;) {
      const page = await outbox.readOutbox(p, 500);
      const last = page.at(-1);
      if (!last) break;
      const records = outboxRecords(page);
      await writer.write(records);
      await writer.write(records);
      await outbox.ackOutbox(p, last.id);
    }
  }
}

export async function openFedStore(file: string, schema: string): Promise<FedStore> {
  return fedFrom(await openSqliteStore({ file }), schema);
}

/**
 * Writes the outbox entries not written before (`written`: their ids) to PostgreSQL and leaves
 * them in the outbox, for suites that look into the outbox as well.
 */
async function feedKeeping(
  outbox: OutboxStore,
  writer: PgHistoryWriter,
  written: Set<string>,
): Promise<void> {
  for (let p = 0; p < outbox.outboxPartitions(); p++) {
    const fresh = (await outbox.readOutbox(p, 100_000)).filter((e) => !written.has(`${p}/${e.id}`));
    if (fresh.length === 0) continue;
    await writer.write(outboxRecords(fresh));
    for (const e of fresh) written.add(`${p}/${e.id}`);
  }
}

/**
 * `ledger` with its history in PostgreSQL: its commits fed through, its record and statistics
 * reads answered by PostgreSQL. The Redis store without records (docs/decisions/0204) runs the
 * ledger and history suites so. ack false leaves every entry in the outbox (the ledger suite
 * looks into it); the relay's acks are the outbox suite's.
 */
export async function fedFrom<S extends FedStore & OutboxStore>(
  ledger: S,
  schema: string,
  ack = true,
): Promise<S> {
  const pool = await openPg(schema);
  const writer = new PgHistoryWriter(pool);
  const history = new PgHistoryStore(pool);
  const commit = ledger.commit.bind(ledger);
  const close = ledger.close.bind(ledger);
  const written = new Set<string>();
  // The ledger's own methods stay (cards, devices, ...); these four change.
  return Object.assign(ledger, {
    commit: async (...args: Parameters<LedgerStore['commit']>) => {
      const outcomes = await commit(...args);
      await (ack ? feed(ledger, writer) : feedKeeping(ledger, writer, written));
      return outcomes;
    },
    queryRecords: (q: Parameters<HistoryStore['queryRecords']>[0]) => history.queryRecords(q),
    queryStats: (q: Parameters<HistoryStore['queryStats']>[0]) => history.queryStats(q),
    close: async () => {
      await close();
      await pool.end();
    },
  });
}
