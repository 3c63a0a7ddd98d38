// The outbox relay: committed records go from the store's outbox to Kafka, at least once.
// Per outbox partition, in this order (the order is what makes it at least once):
//   1. hold the partition's lease, so one gateway instance at a time publishes it;
//   2. read a page of entries, oldest first;
//   3. produce them, one message per entry (its RecordBatch as it is, keyed by the partition,
//      records-message.ts), and wait for every delivery report (acks=all);
//   4. only then ack the outbox up to the page's last id.
// A crash or an error between 3 and 4 publishes the page again on the next round; consumers
// dedupe on the record ids (dedupe.ts). Errors are logged and retried with backoff, never thrown.
// Nothing here decodes a record (docs/decisions/0209).
import type { Logger } from '../log.js';
import type { OutboxStore } from '../store/port.js';
import { KafkaProducer, type OutgoingMessage } from './producer.js';
import { pageMessages } from './records-message.js';

export const DEFAULT_RECORDS_TOPIC = 'onecard.records.v1';

/** The part of the store the relay uses. */
export type { OutboxStore };

/** Where the relay publishes: KafkaProducer, or a stand-in in unit tests. */
export interface RecordSink {
  connect(): Promise<void>;
  /** Resolves once every message is durably accepted; rejects if any is not. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
  /** True when the sink can never send again and must be replaced. */
  readonly fatal?: boolean;
}

export interface OutboxRelayOptions {
  store: OutboxStore;
  /** Kafka bootstrap servers, comma-separated host:port. */
  brokers: string;
  /** Default 'onecard.records.v1'. */
  topic?: string;
  /** Unique per running instance: the lease owner and the Kafka client.id. */
  owner: string;
  log: Logger;
  /** Outbox entries (commits) read, and messages produced, per partition per round. Default 500. */
  pageSize?: number;
  /** Wait between rounds when the outbox was drained. Default 100 ms. */
  idleMs?: number;
  /** Lease time to live, renewed after a third of it has passed. Default 10 s. */
  leaseTtlMs?: number;
  /** Backoff after a failed round doubles from min to max. Defaults 200 ms and 5 s. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  createSink?: (topic: string) => RecordSink;
  now?: () => number;
}

export interface RelayStats {
  /** Records delivered to Kafka and acked in the outbox (a resent record counts again). */
  published: number;
  /** Failed partition rounds and failed connects. */
  errors: number;
  /** Age of the oldest outbox entry at the last read, max over partitions (0: drained). */
  lagMs: number;
  /** Partitions whose lease this instance holds. */
  ownedPartitions: number;
  connected: boolean;
}

interface Lease {
  held: boolean;
  /** When to ask the store again: renew a held lease, or retry one held elsewhere. */
  checkAt: number;
}

export class OutboxRelay {
  private running = false;
  private sink: RecordSink | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private kicked = false;
  private failures = 0;
  private readonly leases = new Map<number, Lease>();
  private readonly lag = new Map<number, number>();
  private published = 0;
  private errors = 0;

  constructor(private readonly options: OutboxRelayOptions) {}

  /**
   * Connects to Kafka and starts relaying. An unreachable Kafka does not fail the start: the
   * outbox keeps the records, the error is logged and the relay keeps trying.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.starting = this.connectSink().then(
      () => this.schedule(0),
      (err) => this.schedule(this.fail(err, 'kafka connect failed')),
    );
    await this.starting;
    this.starting = undefined;
  }

  /** Stops the loop, lets a round in progress finish (bounded by the producer's timeouts), disconnects. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.starting;
    await this.round;
    const sink = this.sink;
    this.sink = undefined;
    this.leases.clear();
    await sink?.disconnect();
  }

  /** Something was committed: relay now instead of after the idle wait (not during a backoff). */
  kick(): void {
    if (!this.running || this.failures > 0) return;
    if (this.round) this.kicked = true;
    else this.schedule(0);
  }

  stats(): RelayStats {
    let lagMs = 0;
    for (const v of this.lag.values()) lagMs = Math.max(lagMs, v);
    let ownedPartitions = 0;
    for (const lease of this.leases.values()) if (lease.held) ownedPartitions += 1;
    return {
      published: this.published,
      errors: this.errors,
      lagMs,
      ownedPartitions,
      connected: this.sink !== undefined,
    };
  }

  private get topic(): string {
    return this.options.topic ?? DEFAULT_RECORDS_TOPIC;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.round = this.runRound();
    }, delayMs);
  }

  private async runRound(): Promise<void> {
    this.kicked = false;
    let next: number;
    try {
      const more = await this.relayAll();
      this.failures = 0;
      next = more || this.kicked ? 0 : (this.options.idleMs ?? 100);
    } catch (err) {
      next = this.fail(err, 'outbox relay round failed');
    }
    this.round = undefined;
    this.schedule(next);
  }

  /** One round over every partition; true when some partition had a full page (more waiting). */
  private async relayAll(): Promise<boolean> {
    if (!this.sink) await this.connectSink();
    const count = this.options.store.outboxPartitions();
    const partitions = Array.from({ length: count }, (_, p) => p);
    const results = await Promise.allSettled(partitions.map((p) => this.relayPartition(p)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      // Each failed partition counts once; the round's backoff covers them all.
      this.errors += failed.length - 1;
      if (this.sink?.fatal) await this.dropSink();
      throw failed[0]!.reason;
    }
    return results.some((r) => r.status === 'fulfilled' && r.value);
  }

  private async relayPartition(partition: number): Promise<boolean> {
    const { store } = this.options;
    if (!(await this.holdLease(partition))) {
      this.lag.delete(partition);
      return false;
    }
    const pageSize = this.options.pageSize ?? 500;
    const entries = await store.readOutbox(partition, pageSize);
    const first = entries[0];
    const last = entries.at(-1);
    if (!first || !last) {
      this.lag.set(partition, 0);
      return false;
    }
    this.lag.set(partition, Math.max(0, this.now() - first.committedAt));
    await this.requireSink().send(pageMessages(partition, entries));
    // Every record of the page is in Kafka now; only from here may the outbox forget them.
    await store.ackOutbox(partition, last.id);
    for (const e of entries) this.published += e.count;
    return entries.length === pageSize;
  }

  private async holdLease(partition: number): Promise<boolean> {
    const now = this.now();
    const ttl = this.options.leaseTtlMs ?? 10_000;
    const lease = this.leases.get(partition);
    if (lease && now < lease.checkAt) return lease.held;
    const held = await this.options.store.leaseOutbox(partition, this.options.owner, ttl);
    if (held !== (lease?.held ?? false)) {
      this.options.log.info(
        { partition, owner: this.options.owner },
        held ? 'outbox lease taken' : 'outbox lease lost',
      );
    }
    // Renewing after a third of the TTL leaves two thirds for the round in progress, more than a
    // send can take (the producer's delivery timeout is below that).
    this.leases.set(partition, { held, checkAt: now + (held ? ttl / 3 : ttl / 2) });
    return held;
  }

  private async connectSink(): Promise<void> {
    const create = this.options.createSink ?? ((topic: string) => this.kafkaProducer(topic));
    const sink = create(this.topic);
    await sink.connect();
    this.sink = sink;
  }

  private kafkaProducer(topic: string): RecordSink {
    const { brokers, owner, log } = this.options;
    return new KafkaProducer({ brokers, topic, clientId: owner, log });
  }

  private requireSink(): RecordSink {
    if (!this.sink) throw new Error('Kafka producer not connected');
    return this.sink;
  }

  private async dropSink(): Promise<void> {
    const sink = this.sink;
    this.sink = undefined;
    await sink?.disconnect().catch(() => {});
  }

  /** Counts and logs a failure; returns the delay before the next attempt. */
  private fail(err: unknown, msg: string): number {
    this.errors += 1;
    this.failures += 1;
    const min = this.options.minBackoffMs ?? 200;
    const max = this.options.maxBackoffMs ?? 5_000;
    const exp = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
    // Jitter, so instances that failed together do not retry together.
    const delay = Math.round(exp / 2 + (Math.random() * exp) / 2);
    this.options.log.error(
      { err: err instanceof Error ? err.message : String(err), attempt: this.failures, retryInMs: delay },
      msg,
    );
    return delay;
  }
}
