// Kafka → history consumer → PostgreSQL on the real broker and database: a stream with every
// record twice and then replayed whole counts each record once; a consumer that wrote a batch
// but never committed its offsets (closed, or a process killed) leaves tables that are exact
// once another member of the group has read the rest; a topic holding the JSON messages from
// before 0209 and RecordBatches is read whole, and a bad message is refused whole.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { HistoryConsumer } from '../../../gateway/src/history/consumer.js';
import { type HistoryService, startHistoryService } from '../../../gateway/src/history/service.js';
import type { OutgoingMessage } from '../../../gateway/src/kafka/producer.js';
import { KafkaProducer } from '../../../gateway/src/kafka/producer.js';
import { batchMessage, RECORD_JSON_SCHEMA } from '../../../gateway/src/kafka/records-message.js';
import { silentLogger } from '../../../gateway/src/log.js';
import { HOUR_MS } from '../../../gateway/src/stats/rides.js';
import { openPgPool } from '../../../gateway/src/store/pg/connect.js';
import { PgHistoryStore } from '../../../gateway/src/store/pg/history.js';
import { PgHistoryWriter } from '../../../gateway/src/store/pg/writer.js';
import { encodeRecordBatch } from '../../../protos/record-codec.js';
import { v1 } from '../../../protos/wire.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { createTopic } from '../kafka/kafka.js';
import { T0 } from '../store/fixtures.js';
import { rides } from '../store/pg/records.js';

const H0 = Math.floor(T0 / HOUR_MS) * HOUR_MS;
const schemas: string[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  const client = new pg.Client({ connectionString: testEnv.pgUrl() });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
});

function newSchema(): string {
  const schema = uniqueId('c_');
  schemas.push(schema);
  return schema;
}

/** The records as the relay publishes them: RecordBatches of `perMessage`, keyed by partition. */
function batches(records: readonly LedgerRecord[], perMessage = 5): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (let i = 0; i < records.length; i += perMessage) {
    const some = records.slice(i, i + perMessage);
    const entry = { id: String(i), batch: encodeRecordBatch(some), count: some.length, committedAt: 0 };
    out.push(batchMessage(out.length % 16, entry));
  }
  return out;
}

/** A record as the relay published it before 0209: its JSON, keyed by card, id and schema headers. */
function jsonMessage(r: LedgerRecord): OutgoingMessage {
  return {
    key: r.cardToken,
    value: Buffer.from(JSON.stringify(r)),
    headers: [{ 'record-id': r.id }, { schema: RECORD_JSON_SCHEMA }],
  };
}

async function send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
  const producer = new KafkaProducer({
    brokers: testEnv.kafkaBrokers(),
    topic,
    clientId: uniqueId('history-test-'),
    log: silentLogger,
  });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 500) await producer.send(messages.slice(i, i + 500));
  } finally {
    await producer.disconnect();
  }
}

const produce = (topic: string, records: readonly LedgerRecord[]) => send(topic, batches(records));

/** The tables as a query sees them: records, distinct ids, rides counted in the hourly counters. */
async function tables(schema: string): Promise<{ records: number; ids: number; rides: number }> {
  const pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 1 });
  try {
    const { rows } = await pool.query<{ records: string; ids: string; rides: string | null }>(
      `SELECT (SELECT count(*) FROM records) AS records, (SELECT count(DISTINCT id) FROM records) AS ids,
        (SELECT sum(rides) FROM ride_stats) AS rides`,
    );
    const r = rows[0]!;
    return { records: Number(r.records), ids: Number(r.ids), rides: Number(r.rides ?? 0) };
  } finally {
    await pool.end();
  }
}

/** Polls until done() holds; throws with the last value when the deadline passes first. */
async function until<T>(read: () => Promise<T> | T, done: (v: T) => boolean, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function service(
  schema: string,
  topic: string,
  groupId: string,
  batchSize = 200,
): Promise<HistoryService> {
  const s = await startHistoryService({
    pgUrl: testEnv.pgUrl(),
    pgSchema: schema,
    brokers: testEnv.kafkaBrokers(),
    topic,
    groupId,
    batchSize,
    retentionDays: 0,
    metricsPort: 0,
    log: silentLogger,
  });
  cleanups.push(() => s.stop());
  return s;
}

describe('history consumer', () => {
  it('writes a stream sent twice and then replayed once per record, and shows how far it is', async () => {
    const topic = await createTopic();
    const schema = newSchema();
    const records = rides(600, H0, 1_000);
    await produce(topic, [...records, ...records]);
    const s = await service(schema, topic, uniqueId('g-'));
    await until(
      () => s.stats(),
      (st) => st.written + st.duplicates === 1_200,
    );
    // The whole stream again, as a relay resending its outbox after a crash would.
    await produce(topic, records);
    const st = await until(
      () => s.stats(),
      (x) => x.written + x.duplicates === 1_800,
    );
    expect(st).toMatchObject({ written: 600, duplicates: 1_200, rejected: 0 });
    expect(st.upToMs).toBe(Math.max(...records.map((r) => r.committedAt)));
    expect(await tables(schema)).toEqual({ records: 600, ids: 600, rides: 600 });
    // The same "records up to" the gateway's console reads from the tables.
    const pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 1 });
    cleanups.push(() => pool.end());
    expect(await new PgHistoryStore(pool).recordsUpTo()).toBe(st.upToMs);
    const metrics = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    expect(metrics).toContain('onecard_history_records_written 600');
    expect(metrics).toContain(`onecard_history_records_up_to_seconds ${st.upToMs / 1000}`);
  });

  it('reads again a batch written but not committed by a consumer that stopped, counting it once', async () => {
    const topic = await createTopic();
    const schema = newSchema();
    const groupId = uniqueId('g-');
    const records = rides(300, H0, 1_000);
    await produce(topic, records);
    const pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 2 });
    cleanups.push(() => pool.end());
    const writer = new PgHistoryWriter(pool);
    let firstBatch = 0;
    // The first member writes its first batch for real, then goes away before the offset
    // commit: what a crash between the transaction and the commit leaves behind.
    const crashing: HistoryConsumer = new HistoryConsumer({
      brokers: testEnv.kafkaBrokers(),
      topic,
      groupId,
      // 20 messages of 5 records: a third of the stream.
      batchSize: 20,
      log: silentLogger,
      writer: {
        async write(batch) {
          const result = await writer.write(batch);
          firstBatch = result.inserted;
          void crashing.stop();
          throw new Error('gone before the commit');
        },
      },
    });
    await crashing.start();
    await until(
      () => firstBatch,
      (n) => n > 0,
    );
    await crashing.stop();
    expect((await tables(schema)).records).toBe(firstBatch);

    const s = await service(schema, topic, groupId);
    const st = await until(
      () => s.stats(),
      (x) => x.written + x.duplicates === 300,
    );
    // The batch the first member wrote came again and was recognised, record by record.
    expect(st).toMatchObject({ written: 300 - firstBatch, duplicates: firstBatch });
    expect(await tables(schema)).toEqual({ records: 300, ids: 300, rides: 300 });
  });

  it('leaves exact tables when its process is killed in the middle of the stream', async () => {
    const topic = await createTopic();
    const schema = newSchema();
    const groupId = uniqueId('g-');
    const records = rides(4_000, H0, 500, 16);
    await produce(topic, records);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(testEnv.root, 'gateway/src/history/main.ts')],
      {
        cwd: testEnv.root,
        env: {
          ...process.env,
          ONECARD_PG_URL: testEnv.pgUrl(),
          ONECARD_PG_SCHEMA: schema,
          ONECARD_KAFKA_BROKERS: testEnv.kafkaBrokers(),
          ONECARD_KAFKA_TOPIC: topic,
          ONECARD_HISTORY_GROUP: groupId,
          ONECARD_HISTORY_BATCH: '50',
          // The fixtures' records are from 2025: a retention run must not drop their day here.
          ONECARD_HISTORY_RETENTION_DAYS: '0',
        },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    // Killed once it has written some of the stream, wherever it is in a batch.
    await until(
      () => tables(schema).catch(() => ({ records: 0 })),
      (t) => t.records > 0,
    );
    child.kill('SIGKILL');
    await exited;
    const before = await tables(schema);
    expect(before.records).toBeLessThan(4_000);

    const s = await service(schema, topic, groupId);
    await until(
      () => tables(schema),
      (t) => t.records === 4_000,
    );
    // Everything it read is written; nothing was counted twice, whatever the killed one did.
    await until(
      () => s.stats(),
      (x) => x.lagMessages === 0 && x.written + x.duplicates >= 4_000 - before.records,
    );
    expect(await tables(schema)).toEqual({ records: 4_000, ids: 4_000, rides: 4_000 });
  });

  it('reads a topic of old JSON messages and RecordBatches whole, refuses a bad message whole, writes a resent batch once', async () => {
    const topic = await createTopic();
    const schema = newSchema();
    const records = rides(100, H0, 1_000);
    // Records no good message carries: the ones bad messages hold must not reach the tables.
    const [lost1, lost2] = rides(2, H0, 1_000, 4, 1_000);
    const whole = (seq: object) =>
      Buffer.from(v1.RecordBatch.encode({ records: [lost1, { ...lost2, ...seq }] } as never).finish());
    const bad: OutgoingMessage[] = [
      // Not a RecordBatch.
      {
        key: '1',
        value: Buffer.from('not a record batch'),
        headers: [{ schema: 'onecard.v1.RecordBatch+protobuf' }],
      },
      // A good record and one whose seq is past 2^53: neither is written.
      { key: '2', value: whole({ seq: 2 ** 60 }), headers: [{ schema: 'onecard.v1.RecordBatch+protobuf' }] },
      // A schema no consumer knows.
      { key: '3', value: encodeRecordBatch([lost1!]), headers: [{ schema: 'onecard.v2.Batch+avro' }] },
      // An old message whose money is not whole.
      jsonMessage({ ...lost2!, chargedFen: 150.5 }),
    ];
    // An upgrade: the JSON messages the old relay left, then batches, bad ones among them, then
    // a batch resent (a relay that crashed before its outbox ack).
    await send(topic, [
      ...records.slice(0, 30).map(jsonMessage),
      ...batches(records.slice(30, 65), 7),
      ...bad,
      ...batches(records.slice(65), 7),
      ...batches(records.slice(30, 37), 7),
    ]);
    const s = await service(schema, topic, uniqueId('g-'));
    const st = await until(
      () => s.stats(),
      (x) => x.written + x.duplicates === 107 && x.rejected === 4,
    );
    expect(st).toMatchObject({
      written: 100,
      duplicates: 7,
      rejected: 4,
      rejectedBy: { undecodable: 1, bad_record: 2, unknown_schema: 1 },
    });
    expect(await tables(schema)).toEqual({ records: 100, ids: 100, rides: 100 });
    const pool = await openPgPool({ url: testEnv.pgUrl(), schema, max: 1 });
    cleanups.push(() => pool.end());
    const { rows } = await pool.query('SELECT id FROM records WHERE id = ANY($1)', [[lost1!.id, lost2!.id]]);
    expect(rows).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${s.metricsPort}/metrics`)).text();
    expect(metrics).toContain('onecard_history_messages_rejected{reason="bad_record"} 2');
    expect(metrics).toContain('onecard_history_messages_rejected{reason="unknown_schema"} 1');
  });
});
