// Tap dedupe day buckets split into sub-buckets small enough for Redis's compact hash encoding
// (docs/decisions/0222). A partition's day bucket of a city holds ~1.4 M entries: a hash table
// (a dict entry, two strings and a table slot each, ~66 bytes a tap with 0222's 12-byte field).
// Split into sub-buckets of ~SUB_BUCKET_ENTRIES each, every one stays a listpack (~30 bytes a tap).
//
// A tap's sub-bucket is a hash of its device, epoch and block of CLAIM_BLOCK_SEQS seqs, not of
// the tap alone: a batch's taps in one partition then share one sub-bucket, so a commit call
// reads and writes as many buckets as before (one HMGET, HSET and EXPIRE each), and the linear
// lookup in a listpack of ≤ 128 entries is all it adds.
//
// The count of a day's sub-buckets is fixed the first time any gateway commits a tap of that day
// (SET NX, kept as long as the day's buckets can be read): a resend must meet the sub-bucket of
// its first delivery, so the count of a day never changes, whatever the gateways' configuration
// says later. A new count takes effect from the next day no gateway has used yet.
import { hash } from 'node:crypto';
import type { RedisClient } from './redis-client.js';
import { CLAIM_BLOCK_SEQS, type RedisKeys } from './redis-keys.js';

/** Mean entries a sub-bucket is sized for: well below the listpack limit (128 by default). */
export const SUB_BUCKET_ENTRIES = 64;
/** Sub-buckets of one day at most (a partition's 64 M taps a day). */
export const MAX_SUB_BUCKETS = 1 << 20;
/** Days whose count a gateway remembers (the window is at most 3,650 days; a commit names few). */
const CACHED_DAYS = 64;

/** Sub-buckets for a configured number of taps a partition takes a day (0: one, no split). */
export function subBucketsFor(tapsPerPartitionDay: number): number {
  if (!Number.isInteger(tapsPerPartitionDay) || tapsPerPartitionDay < 0)
    throw new RangeError(`taps a partition takes a day: a whole number ≥ 0, got ${tapsPerPartitionDay}`);
  return Math.min(MAX_SUB_BUCKETS, Math.max(1, Math.ceil(tapsPerPartitionDay / SUB_BUCKET_ENTRIES)));
}

/**
 * The sub-bucket of a tap's dedupe key among `count`: the key without its seq, and the seq's block
 * (0220's CLAIM_BLOCK_SEQS), hashed. -1 when the day is not split (count 1): the day's one bucket.
 */
export function subBucketOf(dedupeKey: string, count: number): number {
  if (count <= 1) return -1;
  const colon = dedupeKey.lastIndexOf(':');
  const block = Math.floor(Number(dedupeKey.slice(colon + 1)) / CLAIM_BLOCK_SEQS);
  const digest = hash('sha256', `${dedupeKey.slice(0, colon)}\n${block}`, 'hex');
  return Number.parseInt(digest.slice(0, 8), 16) % count;
}

/** Each day's sub-bucket count, fixed in Redis at its first use and remembered here. */
export class SeenSplits {
  private readonly days = new Map<number, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    /** The count this gateway's configuration gives a day no gateway has used yet. */
    private readonly wanted: number,
    /** Days up to this one keep one bucket: entries of before 0222 are read there (redis.ts). */
    private readonly oldFieldsUntil: number,
    /** Seconds the count is kept: as long as a day bucket (its taps are never read after). */
    private readonly ttlSeconds: number,
  ) {}

  /** Whether any of the days' counts is not known yet (a commit then waits for load). */
  lacks(days: Iterable<number>): boolean {
    for (const day of days) if (!this.days.has(day)) return true;
    return false;
  }

  /** The days' counts, read (or fixed) for those not known yet. */
  async load(days: Iterable<number>): Promise<void> {
    for (const day of days) {
      if (this.days.has(day)) continue;
      let count = 1;
      if (day > this.oldFieldsUntil) {
        // Whoever fixes it first wins; everyone else reads theirs (SET NX GET: one round trip).
        const before = (await this.redis.call(
          'SET',
          this.keys.seenSplit(day),
          String(this.wanted),
          'EX',
          String(this.ttlSeconds),
          'NX',
          'GET',
        )) as string | null;
        count = before === null ? this.wanted : Number(before);
        if (!Number.isInteger(count) || count < 1 || count > MAX_SUB_BUCKETS)
          throw new Error(`'${this.keys.seenSplit(day)}' holds no sub-bucket count: ${before}`);
      }
      if (this.days.size >= CACHED_DAYS) this.days.delete(this.days.keys().next().value!);
      this.days.set(day, count);
    }
  }

  /** A day's count; load() it first. */
  of(day: number): number {
    const count = this.days.get(day);
    if (count === undefined) throw new Error(`sub-buckets of day ${day} not loaded`);
    return count;
  }
}
