// Issue 10 item 1 (docs/decisions/0204): with the history in PostgreSQL, Redis holds per tap only
// what the window needs, so its keys and bytes stay flat once the window is full. Days of taps
// of a fixed set of cards and devices are claimed, committed and relayed (the outbox read and
// acked, as the relay does after publishing), with the device time moving a day at a time; then
// every key is weighed (MEMORY USAGE). A key that grows with the taps must be a bucket with a
// time to live (dedupe keys by day, claims by block of seqs); the buckets that would have expired
// by the simulated day (their TTL of window + 2 days runs from their last write) are left out of
// the count, since Redis cannot be made to skip days. After N taps and after 2N taps the rest must weigh the
// same. The same run with records kept shows the growth this removes. Nothing waits.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketTtlSeconds, DAY_MS, dedupeDay } from '../../../core/dedupe-window.js';
import type { TapInput } from '../../../core/ledger.js';
import { planBatch, uniqueTokens } from '../../../gateway/src/ingest/plan.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { fare, issue, tap, token } from './fixtures.js';

const WINDOW_DAYS = 2;
const CARDS = 24;
const DEVICES = ['bus-1', 'bus-2', 'bus-3'];
const TAPS_PER_DEVICE_DAY = 40;
const EPOCH = '0123456789abcdef';
/** Days per half: more than the window plus the buckets' margin, so the window is full after the first. */
const HALF_DAYS = WINDOW_DAYS + 4;
const TAPS_PER_HALF = HALF_DAYS * DEVICES.length * TAPS_PER_DEVICE_DAY;
const DAY0 = Date.UTC(2026, 0, 5, 1, 0);

let admin: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  admin = new Redis(testEnv.redisUrl());
});

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.unlink(...keys);
  }
  await admin.quit();
});

/**
 * Seqs per bucket of claims (0220): small, so that the buckets turn over within the run as a
 * busy gate's do (a slow one's bucket lives longer, bounded by its 128 seqs).
 */
const CLAIM_BLOCK = 16;

/** One simulated day: each device's taps claimed and committed as one batch, then relayed. */
async function tapDay(
  store: Store,
  keys: RedisKeys,
  day: number,
  seqs: Map<string, number>,
  lastWrite: Map<string, number>,
) {
  for (const deviceId of DEVICES) {
    const taps: TapInput[] = Array.from({ length: TAPS_PER_DEVICE_DAY }, (_, i) => {
      const seq = (seqs.get(deviceId) ?? 0) + 1;
      seqs.set(deviceId, seq);
      // Its claims bucket was written today: it expires a lifetime after.
      lastWrite.set(keys.tapClaimsIn(deviceId, EPOCH, keys.claimBlock(seq)), dedupeDay(DAY0 + day * DAY_MS));
      return tap({
        cardToken: token(i % CARDS),
        seq,
        deviceId,
        epoch: EPOCH,
        deviceTimeMs: DAY0 + day * DAY_MS + i * 60_000,
      });
    });
    const claims = taps.map((t) => ({
      seq: t.seq,
      digest: `${t.seq}`.padStart(16, '0'),
      at: t.deviceTimeMs,
    }));
    expect(await store.claimTaps(deviceId, EPOCH, claims, DAY0 + day * DAY_MS)).not.toContain(false);
    const cards = await store.loadCards(uniqueTokens(taps));
    const outcomes = await store.commit(planBatch(taps, cards, fare, DAY0 + day * DAY_MS));
    expect(outcomes.every((o) => o.status === 'applied')).toBe(true);
  }
  for (let p = 0; p < store.outboxPartitions(); p++) {
    const last = (await store.readOutbox(p, 100_000)).at(-1);
    if (last) await store.ackOutbox(p, last.id);
  }
}

interface Weight {
  keys: number;
  bytes: number;
}

/**
 * Keys and bytes under the prefix as they would be on `day`: buckets past their TTL left out (a
 * day bucket's last write was on its day; a claims bucket's, in `lastWrite`).
 */
async function weigh(prefix: string, day: number, lastWrite: Map<string, number>): Promise<Weight> {
  const today = dedupeDay(DAY0 + day * DAY_MS);
  const lifetimeDays = bucketTtlSeconds(WINDOW_DAYS) / 86_400;
  const out = { keys: 0, bytes: 0 };
  for (const key of await admin.keys(`${prefix}:*`)) {
    const ttl = await admin.ttl(key);
    if (ttl !== -1) {
      // Only a tap day bucket (0196), a day's sub-bucket or its count (0222) or a claims bucket
      // (0220) may expire, and never later than the window and its margin after its last write.
      const seen = /:seen(?:-split)?:(\d+)(?::\d+)?$/.exec(key);
      const claims = lastWrite.get(key);
      expect(seen !== null || claims !== undefined, key).toBe(true);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(bucketTtlSeconds(WINDOW_DAYS));
      if ((seen ? Number(seen[1]) : claims!) <= today - lifetimeDays) continue;
    }
    out.keys++;
    out.bytes += Number(await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  }
  return out;
}

/** Weights after N and 2N taps, each half HALF_DAYS days. */
async function run(keepRecords: boolean): Promise<[Weight, Weight]> {
  const prefix = uniqueId('oc');
  prefixes.push(prefix);
  const store = await openRedisStore({
    url: testEnv.redisUrl(),
    keyPrefix: prefix,
    dedupeWindowDays: WINDOW_DAYS,
    keepRecords,
    claimBlockSeqs: CLAIM_BLOCK,
  });
  try {
    for (let n = 0; n < CARDS; n++) await issue(store, n, 1_000_000_000);
    const seqs = new Map<string, number>();
    const lastWrite = new Map<string, number>();
    // The store's own key layout, to name the claims buckets it writes.
    const keys = new RedisKeys(prefix, 16, CLAIM_BLOCK);
    for (let day = 0; day < HALF_DAYS; day++) await tapDay(store, keys, day, seqs, lastWrite);
    const first = await weigh(prefix, HALF_DAYS - 1, lastWrite);
    for (let day = HALF_DAYS; day < 2 * HALF_DAYS; day++) await tapDay(store, keys, day, seqs, lastWrite);
    return [first, await weigh(prefix, 2 * HALF_DAYS - 1, lastWrite)];
  } finally {
    await store.close();
  }
}

describe('Redis per tap once the dedupe window is full', () => {
  it('stays flat when the history is in PostgreSQL: the same keys and bytes after N taps as after 2N', async () => {
    const [n, twice] = await run(false);
    expect(twice.keys).toBe(n.keys);
    // Numbers in the day buckets' keys and results may gain a digit; no record, index or counter.
    expect(Math.abs(twice.bytes - n.bytes) / TAPS_PER_HALF).toBeLessThan(2);
  });

  it('grows by every record, its index entries and counters when the store keeps them', async () => {
    const [n, twice] = await run(true);
    expect((twice.bytes - n.bytes) / TAPS_PER_HALF).toBeGreaterThan(200);
  });
});
