// The relay's rules with the store and Kafka stood in for: lease, order of send and ack, retries,
// wake-ups, timers. relay.int.test.ts runs the same relay against a real store and Kafka.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { type LedgerRecord, planTopUp } from '../../../core/ledger.js';
import type { OutgoingMessage } from '../../../gateway/src/kafka/producer.js';
import { OutboxRelay, type OutboxStore, type RecordSink } from '../../../gateway/src/kafka/relay.js';
import type { Logger } from '../../../gateway/src/log.js';
import type { OutboxEntry } from '../../../gateway/src/store/port.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../protos/record-codec.js';

const TOKEN_A = 'a'.repeat(32);
const TOKEN_B = 'b'.repeat(32);

function card(token: string): CardState {
  return {
    token,
    known: true,
    version: 1,
    balanceFen: 0,
    status: 'active',
    flags: 0,
    masked: 'A12****78',
    region: '500100',
    fare: {},
  };
}

function topUp(token: string, requestId: string, committedAt = 1_000): LedgerRecord {
  return planTopUp(card(token), { requestId, amountFen: 1000, channel: 'counter-1' }, committedAt).record;
}

/** An outbox in memory: ids increase per partition, leases expire by the relay's clock. */
class MemoryOutbox implements OutboxStore {
  readonly entries: OutboxEntry[][];
  readonly acks: { partition: number; uptoId: string }[] = [];
  readonly leases = new Map<number, { owner: string; until: number }>();
  private nextId = 1;

  constructor(
    partitions: number,
    private readonly clock: () => number,
  ) {
    this.entries = Array.from({ length: partitions }, () => []);
  }

  /** One entry, as one commit of these records in the partition writes it. */
  add(partition: number, ...records: LedgerRecord[]): void {
    this.entries[partition]!.push({
      id: String(this.nextId++).padStart(8, '0'),
      batch: encodeRecordBatch(records),
      count: records.length,
      committedAt: Math.min(...records.map((r) => r.committedAt)),
    });
  }

  outboxPartitions(): number {
    return this.entries.length;
  }

  async readOutbox(partition: number, limit: number): Promise<OutboxEntry[]> {
    return this.entries[partition]!.slice(0, limit);
  }

  async ackOutbox(partition: number, uptoId: string): Promise<void> {
    this.acks.push({ partition, uptoId });
    this.entries[partition] = this.entries[partition]!.filter((e) => e.id > uptoId);
  }

  async leaseOutbox(partition: number, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(partition);
    if (lease && lease.owner !== owner && lease.until > this.clock()) return false;
    this.leases.set(partition, { owner, until: this.clock() + ttlMs });
    return true;
  }
}

/** The ids of the records the messages carry, in order. */
const idsOf = (messages: readonly OutgoingMessage[]) =>
  messages.flatMap((m) => decodeRecordBatch(m.value).map((r) => r.id));

class FakeSink implements RecordSink {
  readonly sent: OutgoingMessage[][] = [];
  connected = false;
  fatal = false;
  connectFailures = 0;
  sendImpl: (messages: readonly OutgoingMessage[]) => Promise<void> = async () => {};

  async connect(): Promise<void> {
    if (this.connectFailures > 0) {
      this.connectFailures -= 1;
      throw new Error('Kafka unreachable at 127.0.0.1:1');
    }
    this.connected = true;
  }

  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    this.sent.push([...messages]);
    await this.sendImpl(messages);
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }
}

function recordingLog() {
  const lines: { level: string; msg: string | undefined }[] = [];
  const at =
    (level: string) =>
    (_obj: object | string, msg?: string): void => {
      lines.push({ level, msg });
    };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let clock = 0;
let relay: OutboxRelay | undefined;

function setup(opts: { partitions?: number; pageSize?: number; idleMs?: number } = {}) {
  const store = new MemoryOutbox(opts.partitions ?? 1, () => clock);
  const sink = new FakeSink();
  const sinks: FakeSink[] = [];
  const { log, lines } = recordingLog();
  relay = new OutboxRelay({
    store,
    brokers: 'unused:9092',
    owner: 'gw-1',
    log,
    pageSize: opts.pageSize ?? 100,
    idleMs: opts.idleMs ?? 60_000,
    leaseTtlMs: 10_000,
    minBackoffMs: 200,
    maxBackoffMs: 1_000,
    now: () => clock,
    createSink: () => {
      sinks.push(sinks.length === 0 ? sink : new FakeSink());
      return sinks.at(-1)!;
    },
  });
  return { relay, store, sink, sinks, lines };
}

/** Runs due timers (and rounds they start) without letting any idle wait elapse. */
async function settle(ms = 10): Promise<void> {
  clock += ms;
  await vi.advanceTimersByTimeAsync(ms);
}

beforeEach(() => {
  vi.useFakeTimers();
  clock = 100_000;
});

afterEach(async () => {
  await relay?.stop();
  relay = undefined;
  vi.useRealTimers();
});

describe('OutboxRelay', () => {
  it('publishes a page of a partition as one message, its entries’ batches joined as they are, keyed by the partition, then acks', async () => {
    const { relay, store, sink } = setup({ partitions: 4 });
    const a = topUp(TOKEN_A, 'r1');
    const b = topUp(TOKEN_B, 'r2');
    const c = topUp(TOKEN_A, 'r3');
    store.add(3, a, b);
    store.add(3, c);
    const [first, second] = store.entries[3]!;
    await relay.start();
    await settle();

    expect(sink.sent).toHaveLength(1);
    const [m, ...more] = sink.sent[0]!;
    expect(more).toEqual([]);
    expect(m!.key).toBe('3');
    expect(m!.headers).toEqual([{ schema: 'onecard.v1.RecordBatch+protobuf' }]);
    // The very bytes the store wrote, one entry after the other: nothing decoded and encoded again.
    expect(m!.value.equals(Buffer.concat([first!.batch, second!.batch]))).toBe(true);
    expect(decodeRecordBatch(m!.value)).toEqual([a, b, c]);
    expect(store.acks).toEqual([{ partition: 3, uptoId: '00000002' }]);
    expect(store.entries[3]).toEqual([]);
    // Published counts records, not messages.
    expect(relay.stats()).toMatchObject({ published: 3, errors: 0, ownedPartitions: 4, connected: true });
  });

  it('acks a page only after every message of it has been delivered', async () => {
    const { relay, store, sink } = setup();
    const delivery = deferred();
    sink.sendImpl = () => delivery.promise;
    store.add(0, topUp(TOKEN_A, 'r1'));
    await relay.start();
    await settle();
    expect(sink.sent).toHaveLength(1);
    expect(store.acks).toEqual([]);

    delivery.resolve();
    await settle();
    expect(store.acks).toEqual([{ partition: 0, uptoId: '00000001' }]);
  });

  it('keeps the page when a delivery fails, logs it, and sends it again after a backoff', async () => {
    const { relay, store, sink, lines } = setup();
    sink.sendImpl = async () => {
      sink.sendImpl = async () => {};
      throw new Error('Kafka delivery failed for topup:r1: Broker: Not enough in-sync replicas');
    };
    store.add(0, topUp(TOKEN_A, 'r1'));
    await relay.start();
    await settle();
    expect(store.acks).toEqual([]);
    expect(store.entries[0]).toHaveLength(1);
    expect(relay.stats().errors).toBe(1);
    expect(lines).toContainEqual({ level: 'error', msg: 'outbox relay round failed' });

    await settle(1_000);
    expect(sink.sent).toHaveLength(2);
    expect(store.entries[0]).toEqual([]);
    expect(relay.stats().published).toBe(1);
  });

  it('reads again at once after a full page instead of waiting for the idle interval', async () => {
    const { relay, store, sink } = setup({ pageSize: 2, idleMs: 60_000 });
    for (let i = 1; i <= 5; i++) store.add(0, topUp(TOKEN_A, `r${i}`));
    await relay.start();
    await settle();
    // Three pages, each one message of its entries' records.
    expect(sink.sent.map((page) => page.length)).toEqual([1, 1, 1]);
    expect(sink.sent.map(([m]) => decodeRecordBatch(m!.value).length)).toEqual([2, 2, 1]);
    expect(store.entries[0]).toEqual([]);
  });

  it('relays a new commit on kick() without waiting for the idle interval', async () => {
    const { relay, store, sink } = setup({ idleMs: 60_000 });
    await relay.start();
    await settle();
    store.add(0, topUp(TOKEN_A, 'r1'));
    await settle();
    expect(sink.sent).toHaveLength(0);

    relay.kick();
    await settle();
    expect(sink.sent).toHaveLength(1);
  });

  it('leaves a partition alone while another instance holds its lease, and takes it over on expiry', async () => {
    const { relay, store, sink } = setup({ partitions: 2, idleMs: 100 });
    store.leases.set(1, { owner: 'gw-2', until: clock + 10_000 });
    store.add(0, topUp(TOKEN_A, 'r1'));
    store.add(1, topUp(TOKEN_B, 'r2'));
    await relay.start();
    await settle();
    expect(idsOf(sink.sent.flat())).toEqual(['topup:r1']);
    expect(relay.stats().ownedPartitions).toBe(1);

    await settle(16_000);
    expect(idsOf(sink.sent.flat())).toEqual(['topup:r1', 'topup:r2']);
    expect(relay.stats().ownedPartitions).toBe(2);
  });

  it('starts even when Kafka is unreachable: logs the error and connects on a later attempt', async () => {
    const { relay, store, sink, lines } = setup();
    sink.connectFailures = 1;
    store.add(0, topUp(TOKEN_A, 'r1'));
    await relay.start();
    expect(lines).toContainEqual({ level: 'error', msg: 'kafka connect failed' });
    expect(relay.stats()).toMatchObject({ connected: false, errors: 1 });

    await settle(1_000);
    expect(relay.stats()).toMatchObject({ connected: true, published: 1 });
  });

  it('replaces a producer that reported a fatal error', async () => {
    const { relay, store, sink, sinks } = setup();
    sink.sendImpl = async () => {
      sink.fatal = true;
      throw new Error('Kafka producer fatal error');
    };
    store.add(0, topUp(TOKEN_A, 'r1'));
    await relay.start();
    await settle(1_000);
    expect(sinks).toHaveLength(2);
    expect(sink.connected).toBe(false);
    expect(idsOf(sinks[1]!.sent.flat())).toEqual(['topup:r1']);
    expect(store.entries[0]).toEqual([]);
  });

  it('reports as lag the age of the oldest entry waiting in the outbox', async () => {
    const { relay, store, sink } = setup();
    const delivery = deferred();
    sink.sendImpl = () => delivery.promise;
    store.add(0, topUp(TOKEN_A, 'r1', clock - 3_000));
    store.add(0, topUp(TOKEN_A, 'r2', clock - 1_000));
    await relay.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(relay.stats().lagMs).toBe(3_000);

    delivery.resolve();
    await settle(60_000);
    expect(relay.stats().lagMs).toBe(0);
  });

  it('clears every timer and disconnects on stop()', async () => {
    const { relay, sink } = setup({ idleMs: 100 });
    await relay.start();
    await settle();
    await relay.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(sink.connected).toBe(false);
    relay.kick();
    expect(vi.getTimerCount()).toBe(0);
  });
});
