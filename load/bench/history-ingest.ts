// history_ingest_records_per_s: ride records through Kafka → the history process
// (gateway/src/history/main.ts, its own child process, as deployed) → PostgreSQL.
// The records are put on a topic of this run first, as the relay publishes them (docs/decisions
// 0209): one message per outbox entry, a RecordBatch of the records one commit call applied in one
// partition. A message carries RECORDS_PER_MESSAGE records, what a 100-tap batch spread over the
// 16 partitions of the bench's city run gives (~6); then the history process starts on a fresh
// schema and consumer group, and the rate is taken from its own written-records gauge, from the
// first poll that sees records written (the group join and start-up are not ingest) to the last.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LedgerRecord } from '../../core/ledger.js';
import { KafkaProducer } from '../../gateway/src/kafka/producer.js';
import { batchMessage } from '../../gateway/src/kafka/records-message.js';
import type { Logger } from '../../gateway/src/log.js';
import { openPgPool } from '../../gateway/src/store/pg/connect.js';
import { encodeRecordBatch } from '../../protos/record-codec.js';
import { BENCH_TOPIC_PREFIX, dropTopics } from './kafka-admin.js';
import { freePort } from './ready.js';
import { progress } from './stats.js';

const SCHEMA = 'bench_ingest';
/** Records per message (one commit call's records in one partition). */
const RECORDS_PER_MESSAGE = 6;
/** Outbox partitions the messages are keyed by, as the city run's Redis store has. */
const PARTITIONS = 16;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A ride record as the gateway commits it (the consumer stores its JSON as it comes). */
export function benchRide(i: number, at: number, run: string): LedgerRecord {
  return {
    id: `tap:bench-hist-${i % 500}:${run}:${i}`,
    kind: 'ride',
    cardToken: `${(i % 100_000).toString(16).padStart(8, '0')}${'d'.repeat(24)}`,
    cardMasked: 'B00****00',
    operatorId: 'benchco',
    deviceId: `bench-hist-${i % 500}`,
    seq: i,
    routeId: `r${i % 300}`,
    stopId: `s${i % 40}`,
    stationId: '',
    venueId: '',
    direction: 'board',
    credential: 'card',
    at,
    committedAt: at,
    edgeDecision: 'allow',
    edgeReason: 'OK',
    offline: false,
    concession: 'none',
    baseFen: 200,
    chargedFen: 200,
    lines: [],
    subsidyFen: 0,
    amountFen: -200,
    balanceAfterFen: 10_000,
    outcome: 'charged',
    reason: 'OK',
  };
}

async function writtenSoFar(port: number): Promise<number> {
  try {
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = /^onecard_history_records_written (\d+)/m.exec(body);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export async function historyIngestBench(o: {
  root: string;
  brokers: string;
  pgUrl: string;
  records: number;
  maxSeconds: number;
  log: (s: string) => void;
}): Promise<{ history_ingest_records_per_s: number; history_ingest_records: number }> {
  const run = `r${Date.now().toString(36)}`;
  const topic = `${BENCH_TOPIC_PREFIX}records.${run}`;
  // A fresh schema: every record is new to the tables, as in steady operation.
  const pool = await openPgPool({ url: o.pgUrl, schema: SCHEMA, max: 1 });
  await pool.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  await pool.end();
  const producer = new KafkaProducer({ brokers: o.brokers, topic, clientId: 'bench-history', log: quiet });
  await producer.connect();
  const show = progress('history: records onto Kafka');
  const now = Date.now();
  let messages = 0;
  for (let i = 0; i < o.records; i += 5000) {
    const end = Math.min(i + 5000, o.records);
    const chunk = [];
    for (let j = i; j < end; j += RECORDS_PER_MESSAGE) {
      const records = [];
      for (let k = j; k < Math.min(j + RECORDS_PER_MESSAGE, end); k++)
        records.push(benchRide(k, now - (o.records - k), run));
      const batch = encodeRecordBatch(records);
      const partition = messages++ % PARTITIONS;
      chunk.push(batchMessage(partition, { id: String(j), batch, count: records.length, committedAt: now }));
    }
    await producer.send(chunk);
    show(end, o.records);
  }
  await producer.disconnect();
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(o.root, 'gateway/src/history/main.ts')],
    {
      cwd: o.root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        ONECARD_PG_URL: o.pgUrl,
        ONECARD_PG_SCHEMA: SCHEMA,
        ONECARD_KAFKA_BROKERS: o.brokers,
        ONECARD_KAFKA_TOPIC: topic,
        ONECARD_HISTORY_GROUP: `bench-history-${run}`,
        ONECARD_HISTORY_RETENTION_DAYS: '0',
        ONECARD_HISTORY_METRICS_PORT: String(port),
      },
    },
  );
  try {
    const ingest = progress('history: Kafka → history process → PostgreSQL');
    const deadline = performance.now() + o.maxSeconds * 1000;
    let first: { at: number; n: number } | undefined;
    let n = 0;
    while (n < o.records && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      n = await writtenSoFar(port);
      if (n > 0 && !first) first = { at: performance.now(), n };
      ingest(n, o.records);
    }
    if (!first || n < o.records) throw new Error(`history ingest: ${n} of ${o.records} records written`);
    const seconds = (performance.now() - first.at) / 1000;
    // Everything arrived within one poll: the rate is at least that (bounded below, not measured).
    const rate = seconds > 0 ? (n - first.n) / seconds : n / 0.1;
    o.log(`  history ingest: ${Math.round(rate)} records/s`);
    return { history_ingest_records_per_s: Math.round(rate), history_ingest_records: o.records };
  } finally {
    child.kill('SIGTERM');
    // Its records are counted: the topic goes (kafka-admin.ts), not left on the broker run after run.
    await dropTopics(o.brokers, [topic]);
  }
}
