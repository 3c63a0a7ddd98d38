// The relay end to end: a real SQLite store (a temp file) with committed records in its outbox,
// the real Kafka broker, and a consumer reading the topic back from the beginning.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'node-rdkafka';
import { afterEach, describe, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import { chain, type Effect, type LedgerRecord, planTap, planTopUp } from '../../../core/ledger.js';
import { cardTokenHex, isTokenHex, maskCardNumber } from '../../../core/pii.js';
import { tariffPricer } from '../../../core/pricing.js';
import { createRecordDeduper } from '../../../gateway/src/kafka/dedupe.js';
import { OutboxRelay, type OutboxStore } from '../../../gateway/src/kafka/relay.js';
import { silentLogger } from '../../../gateway/src/log.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { readTariff, tariffPath } from '../../../gateway/src/tariff/load.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { outboxRecords } from '../../support/outbox.js';
import { createTopic, headersOf, readUntil, recordsIn } from './kafka.js';

const CARD_NUMBERS = ['A12345678', 'B87654321', 'C11223344'];
const tokenKey = randomBytes(32);

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-relay-'));
  const store = await openSqliteStore({ file: join(dir, 'gateway.db') });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return store;
}

function startRelay(
  store: OutboxStore,
  topic: string,
  extra: { leaseTtlMs?: number; minBackoffMs?: number } = {},
) {
  const relay = new OutboxRelay({
    store,
    brokers: testEnv.kafkaBrokers(),
    topic,
    owner: uniqueId('relay-'),
    log: silentLogger,
    idleMs: 50,
    ...extra,
  });
  cleanups.push(() => relay.stop());
  return relay;
}

// The shipped tariff: a Beijing bus ride's record explains its fare in two lines (cash price,
// card discount), which must reach Kafka as they were committed.
const beijing = tariffPricer(readTariff(tariffPath('beijing')));

/**
 * Issues the cards, then commits per card a top-up and three bus rides, one commit per card (one
 * outbox entry each, SQLite having one partition); returns the records in commit order.
 */
async function commitRides(store: Store): Promise<LedgerRecord[]> {
  for (const number of CARD_NUMBERS) {
    await store.issueCard({
      token: cardTokenHex(tokenKey, number),
      masked: maskCardNumber(number),
      region: '500100',
      flags: 0,
      balanceFen: 0,
    });
  }
  const cards = await store.loadCards(CARD_NUMBERS.map((n) => cardTokenHex(tokenKey, n)));
  const effects: Effect[] = [];
  let seq = 0;
  for (const initial of cards.values()) {
    let card: CardState = initial;
    const now = 1_760_000_000_000;
    const topUp = chain(card, (c) =>
      planTopUp(c, { requestId: uniqueId('req-'), amountFen: 1_000, channel: 'app' }, now),
    );
    const mine: Effect[] = [topUp.effect];
    card = topUp.next;
    for (let ride = 0; ride < 3; ride++) {
      seq += 1;
      const tap = chain(card, (c) =>
        planTap(
          c,
          {
            operatorId: 'bj-bus',
            deviceId: 'validator-1',
            seq,
            deviceTimeMs: now + seq * 1_000,
            credential: 'card',
            cardToken: c.token,
            issuingRegion: '500100',
            routeId: 'bus-52',
            stopId: 'stop-3',
            stationId: '',
            venueId: '',
            direction: 'board',
            edgeDecision: 'allow',
            edgeReason: 'OK',
            offline: false,
          },
          beijing,
          now + seq * 1_000 + 500,
        ),
      );
      mine.push(tap.effect);
      card = tap.next;
    }
    const outcomes = await store.commit(mine);
    expect(outcomes.map((o) => o.status)).toEqual(mine.map(() => 'applied'));
    effects.push(...mine);
  }
  return effects.map((e) => e.record);
}

/** Records waiting in the outbox, over every partition. */
async function outboxSize(store: Store): Promise<number> {
  let size = 0;
  for (let p = 0; p < store.outboxPartitions(); p++)
    size += outboxRecords(await store.readOutbox(p, 1_000)).length;
  return size;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function countById(messages: Message[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of recordsIn(messages)) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
  return counts;
}

describe('OutboxRelay with SQLite and Kafka', () => {
  it('publishes the commits as RecordBatch messages keyed by their partition, every record once in commit order, and drains the outbox', async () => {
    const store = await openStore();
    const topic = await createTopic();
    const records = await commitRides(store);
    const relay = startRelay(store, topic);
    await relay.start();
    relay.kick();

    const ids = records.map((r) => r.id);
    const got = await readUntil(topic, (m) => ids.every((id) => countById(m).has(id)));
    await waitUntil(
      'outbox drained and relay idle',
      async () => (await outboxSize(store)) === 0 && relay.stats().lagMs === 0,
    );

    // At most one message per commit (per card here: a relay round joins the commits it finds
    // into one), all keyed by SQLite's one partition: one Kafka partition, so the records come
    // back in commit order.
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.length).toBeLessThanOrEqual(CARD_NUMBERS.length);
    expect(new Set(got.map((m) => m.partition)).size).toBe(1);
    got.sort((a, b) => a.offset - b.offset);
    expect(recordsIn(got)).toEqual(records);
    for (const message of got) {
      expect(message.key?.toString()).toBe('0');
      expect(headersOf(message)).toEqual({ schema: 'onecard.v1.RecordBatch+protobuf' });
      // Only tokens and masked forms leave the gateway: never a card number in clear.
      const value = message.value!.toString('latin1');
      for (const number of CARD_NUMBERS) expect(value).not.toContain(number);
    }
    for (const record of recordsIn(got)) {
      if (record.kind === 'ride')
        expect(record.lines.map((l) => [l.kind, l.fen])).toEqual([
          ['base', 200],
          ['card_discount', -100],
        ]);
      expect(isTokenHex(record.cardToken)).toBe(true);
      expect(record.cardMasked).toMatch(/^[A-Z0-9]{3}\*+[A-Z0-9]{2}$/);
    }
    expect(relay.stats()).toMatchObject({ published: records.length, errors: 0, lagMs: 0 });
  });

  it('after a crash between delivery and ack, sends the records again and the deduper keeps one of each', async () => {
    const store = await openStore();
    const topic = await createTopic();
    const records = await commitRides(store);
    const ids = records.map((r) => r.id);

    let crashed!: () => void;
    const crash = new Promise<void>((resolve) => {
      crashed = resolve;
    });
    const crashingStore: OutboxStore = {
      outboxPartitions: () => store.outboxPartitions(),
      readOutbox: (p, limit) => store.readOutbox(p, limit),
      leaseOutbox: (p, owner, ttlMs) => store.leaseOutbox(p, owner, ttlMs),
      ackOutbox: async () => {
        crashed();
        throw new Error('process killed before the outbox ack');
      },
    };
    // A long backoff: the first relay must not retry by itself before it is stopped ("crashed").
    const first = startRelay(crashingStore, topic, { leaseTtlMs: 1_000, minBackoffMs: 60_000 });
    await first.start();
    first.kick();
    await crash;
    await first.stop();
    expect(await outboxSize(store)).toBe(records.length);

    // The next instance takes over once the crashed one's lease has expired.
    const second = startRelay(store, topic, { leaseTtlMs: 1_000 });
    await second.start();
    const got = await readUntil(topic, (m) => {
      const counts = countById(m);
      return ids.every((id) => (counts.get(id) ?? 0) >= 2);
    });
    await waitUntil('outbox drained', async () => (await outboxSize(store)) === 0);

    expect([...countById(got).values()].every((n) => n === 2)).toBe(true);
    const dedupe = createRecordDeduper(1_000);
    const applied = recordsIn(got)
      .filter((r) => !dedupe.seen(r.id))
      .map((r) => r.id);
    expect(applied.sort()).toEqual([...ids].sort());
  });
});
