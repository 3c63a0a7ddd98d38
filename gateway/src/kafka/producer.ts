// A small promise-shaped wrapper over node-rdkafka's Producer for the outbox relay: send() resolves
// only once the broker has acknowledged every message of the call (acks=all), so the relay may
// then delete those entries from the outbox. Nothing here knows about records or the store.

import type {
  DeliveryReport,
  LibrdKafkaError,
  MessageHeader,
  ProducerGlobalConfig,
  Producer as RdProducer,
} from 'node-rdkafka';
import Kafka from 'node-rdkafka';
import { JoinBuffer } from '../join-buffer.js';
import type { Logger } from '../log.js';

export interface OutgoingMessage {
  /** Kafka partitions by key, so messages with one key stay in order. */
  key: string;
  value: Buffer;
  /**
   * The value as parts to join, when it is several (the relay's page of outbox entries): the
   * producer joins them into a buffer of its own that it reuses, right before librdkafka copies
   * it (docs/decisions/0236). `value` then joins them into a Buffer of its own when read.
   */
  parts?: readonly Uint8Array[];
  headers?: MessageHeader[];
  /** Names the message in errors (the relay passes the outbox partition and entry id). */
  opaque?: string;
}

export interface KafkaProducerOptions {
  /** Bootstrap servers, comma-separated host:port. */
  brokers: string;
  topic: string;
  clientId: string;
  log: Logger;
  /** Time to reach a broker and fetch metadata before connect() fails. */
  connectTimeoutMs?: number;
  /**
   * librdkafka's message.timeout.ms: the longest a message may wait for its delivery report,
   * retries included. Kept well below the relay's lease TTL so a send ends while the lease holds.
   */
  deliveryTimeoutMs?: number;
  /** How long send() keeps retrying a message the local queue has no room for. */
  queueFullTimeoutMs?: number;
  /** Passed to librdkafka as they are (tests shrink queues with it); wins over the defaults. */
  extraConfig?: ProducerGlobalConfig;
}

const QUEUE_FULL = Kafka.CODES.ERRORS.ERR__QUEUE_FULL;

const POLL_INTERVAL_MS = 10;
const QUEUE_FULL_WAIT_MS = 20;
const DISCONNECT_TIMEOUT_MS = 5_000;

/**
 * zstd is not in every librdkafka build (node-rdkafka's bundled one has lz4 but not zstd), so
 * pick the best codec this build has rather than failing at start-up on another build.
 */
export function compressionCodec(features: readonly string[] = Kafka.features): 'zstd' | 'lz4' | 'none' {
  if (features.includes('zstd')) return 'zstd';
  if (features.includes('lz4')) return 'lz4';
  return 'none';
}

/** Delivery bookkeeping of one send() call. */
interface Tracker {
  expected: number;
  reported: number;
  /** Set once every message has been handed to librdkafka (or a produce failed for good). */
  sealed: boolean;
  failure?: Error;
  resolve(): void;
  reject(err: Error): void;
}

interface Opaque {
  tracker: Tracker;
  label: string;
}

export class KafkaProducer {
  private producer: RdProducer | undefined;
  private readonly pending = new Set<Tracker>();
  private fatalError: Error | undefined;
  /**
   * A message's parts joined, message after message (0236). librdkafka copies a value before
   * produce returns (node-rdkafka sends RK_MSG_COPY), so nothing reads the buffer after that.
   */
  private readonly joined = new JoinBuffer(64 * 1024);

  constructor(private readonly options: KafkaProducerOptions) {}

  /** True after librdkafka reported a fatal error: this producer is done, make a new one. */
  get fatal(): boolean {
    return this.fatalError !== undefined;
  }

  get connected(): boolean {
    return this.producer?.isConnected() ?? false;
  }

  /** Connects and fetches metadata; fails with a message naming the brokers when none answers. */
  async connect(): Promise<void> {
    if (this.producer) return;
    const { brokers, clientId, log } = this.options;
    const timeoutMs = this.options.connectTimeoutMs ?? 5_000;
    const producer = new Kafka.Producer(
      {
        'metadata.broker.list': brokers,
        'client.id': clientId,
        // Implies acks=all, retries without reordering and no duplicates from the producer's own
        // retries (librdkafka CONFIGURATION.md, enable.idempotence).
        'enable.idempotence': true,
        'compression.codec': compressionCodec(),
        'socket.connection.setup.timeout.ms': timeoutMs,
        dr_cb: true,
        ...this.options.extraConfig,
      },
      // murmur2_random is the Java producer's default partitioner: a record keyed by a card token
      // lands in the same Kafka partition whichever client (Java, librdkafka) produced it.
      {
        partitioner: 'murmur2_random',
        'message.timeout.ms': this.options.deliveryTimeoutMs ?? 5_000,
      },
    );
    producer.on('delivery-report', (err, report) => this.onDelivery(err, report));
    producer.on('event.error', (err) => {
      if (err.isFatal) this.fatalError = new Error(`Kafka producer fatal error: ${err.message}`);
      log.warn({ err: err.message, code: err.code, fatal: err.isFatal ?? false }, 'kafka producer error');
    });
    try {
      await connectWithin(producer, timeoutMs);
    } catch (err) {
      await disconnectWithin(producer, DISCONNECT_TIMEOUT_MS);
      throw new Error(
        `Kafka unreachable at ${brokers}: no metadata within ${timeoutMs} ms (${errorText(err)})`,
      );
    }
    producer.setPollInterval(POLL_INTERVAL_MS);
    this.producer = producer;
    log.info({ brokers, topic: this.options.topic, clientId }, 'kafka producer connected');
  }

  /**
   * Produces the messages in order and resolves when every one has a successful delivery report.
   * Rejects (after all reports of the call are in, so nothing of it is still in flight) when any
   * message failed.
   */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('Kafka producer not connected');
    if (this.fatalError) throw this.fatalError;
    if (messages.length === 0) return;
    let tracker!: Tracker;
    const done = new Promise<void>((resolve, reject) => {
      tracker = { expected: messages.length, reported: 0, sealed: false, resolve, reject };
    });
    this.pending.add(tracker);
    for (const [i, m] of messages.entries()) {
      try {
        await this.produceOne(producer, m, { tracker, label: m.opaque ?? `message ${i}` });
      } catch (err) {
        // Only messages already handed over will report; wait for those, then fail.
        tracker.expected = i;
        tracker.failure ??= new Error(
          `Kafka produce failed for ${m.opaque ?? `message ${i}`}: ${errorText(err)}`,
        );
        break;
      }
    }
    tracker.sealed = true;
    this.settleIfDone(tracker);
    return done;
  }

  /** Waits for what is in flight (bounded), then closes. Sends still pending are rejected. */
  async disconnect(): Promise<void> {
    const producer = this.producer;
    if (!producer) return;
    this.producer = undefined;
    producer.setPollInterval(0);
    await new Promise<void>((resolve) => {
      try {
        producer.flush(this.options.deliveryTimeoutMs ?? 5_000, () => resolve());
      } catch {
        resolve();
      }
    });
    await disconnectWithin(producer, DISCONNECT_TIMEOUT_MS);
    for (const tracker of this.pending) {
      tracker.failure ??= new Error('Kafka producer disconnected before every delivery report arrived');
      this.settle(tracker);
    }
  }

  private async produceOne(producer: RdProducer, m: OutgoingMessage, opaque: Opaque): Promise<void> {
    const deadline = Date.now() + (this.options.queueFullTimeoutMs ?? 10_000);
    for (;;) {
      try {
        // Joined at each try, right before the produce: while this waits for room, another
        // partition's send may join into the same buffer.
        const value = m.parts ? this.joined.join(m.parts) : m.value;
        producer.produce(this.options.topic, null, value, m.key, Date.now(), opaque, m.headers);
        return;
      } catch (err) {
        if ((err as LibrdKafkaError).code !== QUEUE_FULL || Date.now() >= deadline) throw err;
        // The local queue is full: serve delivery reports (which frees room), then try again.
        producer.poll();
        await sleep(QUEUE_FULL_WAIT_MS);
      }
    }
  }

  private onDelivery(err: LibrdKafkaError | null | undefined, report: DeliveryReport): void {
    const opaque = report.opaque as Opaque | undefined;
    if (!opaque) return;
    const { tracker, label } = opaque;
    tracker.reported += 1;
    if (err) tracker.failure ??= new Error(`Kafka delivery failed for ${label}: ${err.message}`);
    this.settleIfDone(tracker);
  }

  private settleIfDone(tracker: Tracker): void {
    if (tracker.sealed && tracker.reported >= tracker.expected) this.settle(tracker);
  }

  private settle(tracker: Tracker): void {
    if (!this.pending.delete(tracker)) return;
    if (tracker.failure) tracker.reject(tracker.failure);
    else tracker.resolve();
  }
}

function connectWithin(producer: RdProducer, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // librdkafka's own metadata timeout normally fires first; this one is the backstop.
    const timer = setTimeout(() => reject(new Error('connect timed out')), timeoutMs + 1_000);
    producer.connect({ timeout: timeoutMs }, (err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
  });
}

function disconnectWithin(producer: RdProducer, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      producer.disconnect(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      // Already closed (a failed connect closes the client itself): nothing left to wait for.
      clearTimeout(timer);
      resolve();
    }
  });
}

function errorText(err: unknown): string {
  return err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)
    ? String((err as { message: unknown }).message)
    : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
