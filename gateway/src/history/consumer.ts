// The history consumer (docs/decisions/0190): a Kafka consumer group on the records topic that
// writes the records to PostgreSQL in batches. Per batch, in this order (the order is what makes
// the tables exact):
//   1. take up to batchSize messages from the partitions this member holds, and decode each
//      into its records (a RecordBatch, or one JSON record from before 0209: records-message.ts);
//      a message that does not decode whole is refused, counted and skipped, none of it written;
//   2. write the records in one transaction, idempotent by record id (store/pg/writer.ts), retrying
//      with backoff until it succeeds or the consumer stops;
//   3. only then commit the batch's offsets.
// A crash between 2 and 3 re-reads the batch, which writes nothing twice: at-least-once delivery
// into idempotent writes is exactly once in the tables. Offsets are never auto-committed.
import type {
  LibrdKafkaError,
  Message,
  KafkaConsumer as RdConsumer,
  TopicPartitionOffset,
} from 'node-rdkafka';
import Kafka from 'node-rdkafka';
import type { LedgerRecord } from '../../../core/ledger.js';
import { type DecodedRecords, decodeRecordsMessage, type RecordsRefusal } from '../kafka/records-message.js';
import { DEFAULT_RECORDS_TOPIC } from '../kafka/relay.js';
import type { Logger } from '../log.js';
import type { WriteResult } from '../store/pg/writer.js';

export const DEFAULT_HISTORY_GROUP = 'onecard-history';

/** Where the batches go: PgHistoryWriter. */
export interface RecordWriter {
  write(records: readonly LedgerRecord[], progress?: ReadonlyMap<number, number>): Promise<WriteResult>;
}

export interface HistoryConsumerOptions {
  brokers: string;
  writer: RecordWriter;
  log: Logger;
  /** Default 'onecard.records.v1'. */
  topic?: string;
  /** Default 'onecard-history': every history consumer of one database shares it. */
  groupId?: string;
  clientId?: string;
  /** Messages per batch (one transaction; a message is one commit's records). Default 1000. */
  batchSize?: number;
  /** How long one fetch waits for messages. Default 100 ms. */
  fetchWaitMs?: number;
  /** Backoff after a failed write doubles from min to max. Defaults 200 ms and 5 s. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface HistoryConsumerStats {
  /** Records new to the tables. */
  written: number;
  /** Records that were there already (a resend, a replay after a crash). */
  duplicates: number;
  /**
   * Messages refused (not a RecordBatch nor a record's JSON, a record without an id or with a
   * number that is not whole, an unknown schema header): skipped whole, their offsets committed.
   */
  rejected: number;
  /** The same, by reason. */
  rejectedBy: Record<RecordsRefusal, number>;
  batches: number;
  /** Failed writes and failed commits. */
  errors: number;
  /**
   * "Records up to": the oldest, over the partitions this member reads, of the newest commit
   * time (record.committedAt) written from each; 0 before the first batch.
   */
  upToMs: number;
  /** Messages on the held partitions not written yet (from the broker's last statistics). */
  lagMessages: number;
}

interface Parsed {
  m: Message;
  d: DecodedRecords;
}

export class HistoryConsumer {
  private consumer: RdConsumer | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly upTo = new Map<number, number>();
  private readonly next = new Map<number, number>();
  private readonly counts = { written: 0, duplicates: 0, rejected: 0, batches: 0, errors: 0 };
  private readonly rejectedBy: Record<RecordsRefusal, number> = {
    unknown_schema: 0,
    undecodable: 0,
    bad_record: 0,
  };

  constructor(private readonly options: HistoryConsumerOptions) {}

  private get topic(): string {
    return this.options.topic ?? DEFAULT_RECORDS_TOPIC;
  }

  /** Joins the group and starts the loop; rejects when Kafka cannot be reached. */
  async start(): Promise<void> {
    if (this.running) return;
    const consumer = new Kafka.KafkaConsumer(
      {
        'metadata.broker.list': this.options.brokers,
        'group.id': this.options.groupId ?? DEFAULT_HISTORY_GROUP,
        'client.id': this.options.clientId ?? 'onecard-history',
        'enable.auto.commit': false,
        // A member that died (kill -9) holds its partitions until the broker misses its
        // heartbeats this long; 10 s rather than librdkafka's 45 s bounds the pause in history.
        'session.timeout.ms': 10_000,
        'heartbeat.interval.ms': 3_000,
        // Watermarks for the lag figure arrive with the statistics.
        'statistics.interval.ms': 1_000,
        rebalance_cb: (err: LibrdKafkaError, assignment: TopicPartitionOffset[]) => {
          // A partition handed to another member: its figures are that member's now.
          if (err.code === Kafka.CODES.ERRORS.ERR__REVOKE_PARTITIONS) {
            for (const p of assignment) {
              this.upTo.delete(p.partition);
              this.next.delete(p.partition);
            }
            consumer.unassign();
          } else consumer.assign(assignment);
        },
      },
      { 'auto.offset.reset': 'earliest' },
    );
    await new Promise<void>((resolve, reject) => {
      consumer.connect({ timeout: 10_000 }, (err) => (err ? reject(err) : resolve()));
    });
    consumer.setDefaultConsumeTimeout(this.options.fetchWaitMs ?? 100);
    consumer.subscribe([this.topic]);
    this.consumer = consumer;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in hand is written and committed (or given up: it is read again). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }

  stats(): HistoryConsumerStats {
    let lagMessages = 0;
    for (const [partition, next] of this.next) {
      try {
        const { highOffset } = this.consumer!.getWatermarkOffsets(this.topic, partition);
        lagMessages += Math.max(0, highOffset - next);
      } catch {
        // No statistics yet for this partition: no figure rather than a wrong one.
      }
    }
    const upTo = [...this.upTo.values()];
    return {
      ...this.counts,
      rejectedBy: { ...this.rejectedBy },
      upToMs: upTo.length > 0 ? Math.min(...upTo) : 0,
      lagMessages,
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      const messages = await this.fetch();
      if (messages.length === 0) continue;
      const parsed = messages.map((m) => ({ m, d: decodeRecordsMessage(m.value, m.headers) }));
      if (!(await this.writeBatch(parsed))) return;
      this.commit(parsed);
    }
  }

  private fetch(): Promise<Message[]> {
    return new Promise((resolve) => {
      this.consumer!.consume(this.options.batchSize ?? 1_000, (err, messages) => {
        if (err) {
          this.counts.errors += 1;
          this.options.log.warn({ err: err.message }, 'history consumer: fetch failed');
          resolve([]);
        } else resolve(messages);
      });
    });
  }

  /** True once written; false when the consumer stopped first (nothing committed). */
  private async writeBatch(parsed: readonly Parsed[]): Promise<boolean> {
    const records: LedgerRecord[] = [];
    const progress = new Map<number, number>();
    for (const { m, d } of parsed) {
      if (d.ok) {
        for (const r of d.records) records.push(r);
        progress.set(m.partition, Math.max(progress.get(m.partition) ?? 0, newest(d.records)));
      } else {
        this.counts.rejected += 1;
        this.rejectedBy[d.reason] += 1;
        this.options.log.warn(
          { partition: m.partition, offset: m.offset, reason: d.reason, detail: d.detail },
          'history consumer: message refused',
        );
      }
    }
    let backoff = this.options.minBackoffMs ?? 200;
    for (;;) {
      try {
        const result = await this.options.writer.write(records, progress);
        this.counts.written += result.inserted;
        this.counts.duplicates += result.duplicates;
        this.counts.batches += 1;
        return true;
      } catch (err) {
        this.counts.errors += 1;
        this.options.log.error({ err: (err as Error).message }, 'history consumer: write failed, retrying');
        if (!this.running) return false;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5_000);
        if (!this.running) return false;
      }
    }
  }

  /** Commits the next offset of every partition in the batch, and notes how far it reached. */
  private commit(parsed: readonly Parsed[]): void {
    const offsets = new Map<number, number>();
    for (const { m, d } of parsed) {
      offsets.set(m.partition, Math.max(offsets.get(m.partition) ?? -1, m.offset + 1));
      if (d.ok) this.upTo.set(m.partition, Math.max(this.upTo.get(m.partition) ?? 0, newest(d.records)));
    }
    try {
      this.consumer!.commitSync(
        [...offsets].map(([partition, offset]) => ({ topic: this.topic, partition, offset })),
      );
      for (const [partition, offset] of offsets) this.next.set(partition, offset);
    } catch (err) {
      // The partitions moved to another member during the batch: it reads them from the last
      // committed offset and finds these records written already.
      this.counts.errors += 1;
      this.options.log.warn({ err: (err as Error).message }, 'history consumer: commit failed');
    }
  }
}

/** The newest commit time of a message's records. */
function newest(records: readonly LedgerRecord[]): number {
  let t = 0;
  for (const r of records) if (r.committedAt > t) t = r.committedAt;
  return t;
}
