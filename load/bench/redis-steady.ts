// Redis per tap once the dedupe window is full (issue 10 item 1, docs/decisions/0206): the store
// opened as the gateway opens it with ONECARD_HISTORY=postgres (keepRecords: false, 0204), a
// small dedupe window (0196), many cards and devices tapping day after simulated day. Each batch
// goes through the gateway's own steps (window split, claims, card load, plan, commit; no MQTT,
// no signatures), with the time passed in. After each day:
//   relay   the outbox is drained as the relay does after Kafka took a page: read a page, ack it
//           (XTRIM MINID); the Kafka send itself is left out, it changes nothing in Redis;
//   expiry  the day buckets whose TTL (window + 2 days from their last write, which was on their
//           own day) has run out by the end of the simulated day are deleted. Redis expires keys
//           on its own clock only and the bench cannot make days pass there, so it plays Redis's
//           expiry on the simulated clock; a bucket without a TTL would not be deleted (the run
//           fails), so only keys Redis would drop itself go.
// Then used_memory is read. redis_bytes_per_tap_steady = (used_memory after 2N taps − after N
// taps) / N, with the window full at N: ≈ 0 when Redis is flat. used_memory is server-wide (the
// bench's Redis serves only the bench, nothing else writes while this runs);
// redis_key_bytes_per_tap_steady weighs the run's own keys instead (MEMORY USAGE), which nothing
// else can disturb.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { bucketTtlSeconds, DAY_MS, dedupeDay } from '../../core/dedupe-window.js';
import type { TapInput } from '../../core/ledger.js';
import { flatPricer } from '../../core/pricing.js';
import { flatFare } from '../../core/tariff/flat.js';
import { claimTaps, splitByWindow } from '../../gateway/src/ingest/claims.js';
import { planBatch, uniqueTokens } from '../../gateway/src/ingest/plan.js';
import type { Store } from '../../gateway/src/store/port.js';
import { openRedisStore } from '../../gateway/src/store/redis.js';
import { CLAIM_BLOCK_SEQS, RedisKeys } from '../../gateway/src/store/redis-keys.js';
import { busTap } from './bus-tap.js';
import { token } from './commit-baseline.js';
import { unlinkPrefix } from './redis-admin.js';
import { progress, round } from './stats.js';

export interface SteadyParams {
  redisUrl: string;
  /** Taps in all: N in the first half of the days, N in the second. */
  taps: number;
  /** Simulated days in all (even); each half must outlast the buckets' lifetime. */
  days: number;
  devices: number;
  cards: number;
  /** ONECARD_DEDUPE_WINDOW_DAYS. */
  windowDays: number;
  partitions?: number;
  tapsPerBatch?: number;
  /** Batches in flight at once, on disjoint cards (no version conflicts to re-plan). */
  concurrency?: number;
  /** As the gateway opens the store with the PostgreSQL history: false. True only to show the growth it removes. */
  keepRecords?: boolean;
  log?: (s: string) => void;
}

const EPOCH = '5ea11e55ca1ab1e5';
/** A Monday, 00:00 UTC; the days count from it. Fixed: the run never depends on today's date. */
const DAY0 = Date.UTC(2026, 0, 5);
const MB = 1024 * 1024;

async function usedMemory(admin: Redis): Promise<number> {
  const m = /^used_memory:(\d+)/m.exec(await admin.info('memory'));
  if (!m) throw new Error('Redis INFO memory has no used_memory');
  return Number(m[1]);
}

/** The bytes of every key under the prefix (MEMORY USAGE, every element counted). */
async function keyBytes(admin: Redis, prefix: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  const out = { keys: 0, bytes: 0 };
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipe = admin.pipeline();
    for (const k of keys) pipe.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    for (const [err, n] of (await pipe.exec()) ?? []) {
      if (err) throw err;
      if (n !== null) {
        out.keys++;
        out.bytes += Number(n);
      }
    }
  } while (cursor !== '0');
  return out;
}

/** The relay's round without the Kafka send (gateway/src/kafka/relay.ts): read a page, ack it. */
async function relay(store: Store): Promise<number> {
  let relayed = 0;
  for (let p = 0; p < store.outboxPartitions(); p++) {
    for (;;) {
      const page = await store.readOutbox(p, 500);
      const last = page.at(-1);
      if (!last) break;
      await store.ackOutbox(p, last.id);
      for (const e of page) relayed += e.count;
    }
  }
  return relayed;
}

/**
 * Deletes the buckets Redis would have expired by the end of simulated day `day`: their TTL ran
 * from their last write, on day `bucketDay` (a dedupe bucket's own day; a claims bucket's last
 * write, its block of seqs being written for a while, 0220). Refuses a bucket without a TTL or
 * with a longer one: Redis would keep it, so the bench must not drop it.
 */
async function expireBuckets(
  admin: Redis,
  keys: RedisKeys,
  claimsLastWritten: Map<string, number>,
  bucketDay: number,
  ttl: number,
) {
  const claims = [...claimsLastWritten].filter(([, day]) => day === bucketDay).map(([key]) => key);
  for (const key of claims) claimsLastWritten.delete(key);
  // The day's count of sub-buckets (0222) goes with its buckets (the run does not split them).
  const names = [
    ...Array.from({ length: keys.partitions }, (_, p) => keys.seenOn(p, bucketDay)),
    keys.seenSplit(bucketDay),
    ...claims,
  ];
  const ttlPipe = admin.pipeline();
  for (const k of names) ttlPipe.ttl(k);
  const ttls = ((await ttlPipe.exec()) ?? []).map(([err, t]) => {
    if (err) throw err;
    return Number(t);
  });
  ttls.forEach((t, i) => {
    if (t === -1 || t > ttl)
      throw new Error(`${names[i]}: Redis would keep it (TTL ${t} s), not a day bucket`);
  });
  await admin.del(...names);
}

export async function redisSteadyBench(P: SteadyParams): Promise<Record<string, number>> {
  const log = P.log ?? (() => {});
  const partitions = P.partitions ?? 16;
  // A batch of one block of claims (0220) by default: a device's day is then whole blocks, so
  // the snapshots after N and 2N taps meet the blocks in the same phase (a block holds claims
  // until its last seq's day leaves the window: with days of part blocks, what the window holds
  // would swing by up to a block a device between the two).
  const perBatch = P.tapsPerBatch ?? CLAIM_BLOCK_SEQS;
  const concurrency = P.concurrency ?? 8;
  const lifetimeDays = bucketTtlSeconds(P.windowDays) / 86_400;
  const half = P.days / 2;
  if (!Number.isInteger(half) || half <= lifetimeDays)
    throw new RangeError(`each half of ${P.days} days must outlast a bucket's ${lifetimeDays} days`);
  const batchesPerDevice = Math.max(1, Math.round(P.taps / P.days / P.devices / perBatch));
  const tapsPerDay = batchesPerDevice * perBatch * P.devices;
  const prefix = `bst${randomBytes(3).toString('hex')}`;
  const keys = new RedisKeys(prefix, partitions);
  const admin = new Redis(P.redisUrl);
  const store = await openRedisStore({
    url: P.redisUrl,
    keyPrefix: prefix,
    partitions,
    dedupeWindowDays: P.windowDays,
    keepRecords: P.keepRecords ?? false,
  });
  const fare = flatPricer(flatFare());
  const devices = Array.from({ length: P.devices }, (_, i) => `steady-${i}`);
  const seqs = new Map<string, number>();
  // Claims bucket → the (UTC) day of its last write: when Redis lets it go.
  const claimsLastWritten = new Map<string, number>();
  try {
    const before = await usedMemory(admin);
    const tokens = Array.from({ length: P.cards }, (_, i) => token(i));
    for (let i = 0; i < tokens.length; i += 1000)
      await Promise.all(
        tokens
          .slice(i, i + 1000)
          .map((t) =>
            store.issueCard({ token: t, masked: 'B00****00', region: '500228', flags: 0, balanceFen: 1e12 }),
          ),
      );
    // Worker k plays the devices and taps the cards whose index is k modulo the workers.
    const perWorker = Math.floor(tokens.length / concurrency);
    const cursors = new Array<number>(concurrency).fill(0);
    const cardOf = (k: number) => tokens[k + concurrency * (cursors[k]!++ % perWorker)]!;
    const batch = async (k: number, deviceId: string, day: number, b: number) => {
      const now = DAY0 + day * DAY_MS + 23 * 3600_000;
      const taps: TapInput[] = Array.from({ length: perBatch }, (_, i) => {
        const seq = (seqs.get(deviceId) ?? 0) + 1;
        seqs.set(deviceId, seq);
        claimsLastWritten.set(
          keys.tapClaimsIn(deviceId, EPOCH, keys.claimBlock(seq)),
          dedupeDay(DAY0 + day * DAY_MS),
        );
        return busTap(
          'steadyco',
          deviceId,
          seq,
          DAY0 + day * DAY_MS + 6 * 3600_000 + (b * perBatch + i) * 1000,
          cardOf(k),
        );
      });
      const aged = splitByWindow(taps, now, P.windowDays);
      const [claimed, cards] = await Promise.all([
        claimTaps(store, { deviceId, epoch: EPOCH }, aged.inside, now),
        store.loadCards(uniqueTokens(aged.inside)),
      ]);
      const outcomes = await store.commit(planBatch(claimed.admitted, cards, fare, now));
      if (claimed.admitted.length !== perBatch || outcomes.some((o) => o.status !== 'applied'))
        throw new Error(`steady: a batch of ${deviceId} was not applied whole`);
    };
    const show = P.log ? progress(`Redis steady state, ${P.days} days of ${tapsPerDay} taps`) : () => {};
    const samples: number[] = [];
    let memN = 0;
    let weightN = { keys: 0, bytes: 0 };
    const started = performance.now();
    for (let day = 0; day < P.days; day++) {
      await Promise.all(
        Array.from({ length: concurrency }, async (_, k) => {
          for (let d = k; d < devices.length; d += concurrency)
            for (let b = 0; b < batchesPerDevice; b++) await batch(k, devices[d]!, day, b);
        }),
      );
      const relayed = await relay(store);
      if (relayed !== tapsPerDay) throw new Error(`steady: relayed ${relayed} records of ${tapsPerDay} taps`);
      const gone = dedupeDay(DAY0 + day * DAY_MS) - lifetimeDays;
      if (gone >= dedupeDay(DAY0))
        await expireBuckets(admin, keys, claimsLastWritten, gone, bucketTtlSeconds(P.windowDays));
      const mem = await usedMemory(admin);
      samples.push(round((mem - before) / MB));
      show((day + 1) * tapsPerDay, P.days * tapsPerDay);
      if (day === half - 1) {
        memN = mem;
        weightN = await keyBytes(admin, prefix);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const mem2N = await usedMemory(admin);
    const weight2N = await keyBytes(admin, prefix);
    const n = half * tapsPerDay;
    const after = samples.slice(half - 1);
    log(`  Redis MB held by the run, by simulated day: ${samples.join(' ')}`);
    log(`  keys of the run after N and 2N taps: ${weightN.keys}, ${weight2N.keys}`);
    return {
      redis_bytes_per_tap_steady: round((mem2N - memN) / n),
      redis_key_bytes_per_tap_steady: round((weight2N.bytes - weightN.bytes) / n),
      redis_steady_taps: 2 * n,
      redis_steady_days: P.days,
      redis_steady_window_days: P.windowDays,
      redis_steady_mb_at_n: round((memN - before) / MB),
      redis_steady_mb_at_2n: round((mem2N - before) / MB),
      redis_steady_mb_min_after_n: Math.min(...after),
      redis_steady_mb_max_after_n: Math.max(...after),
      redis_steady_keys_at_n: weightN.keys,
      redis_steady_keys_at_2n: weight2N.keys,
      redis_steady_taps_per_s: Math.round((2 * n) / seconds),
    };
  } finally {
    await store.close();
    await unlinkPrefix(admin, prefix);
    await admin.quit();
  }
}
