// Offline re-partition (docs/operations.md, decision 0193): copies a Redis store written with
// one partition count under one key prefix to another prefix with another count. Gateways are
// stopped and every outbox relayed (empty) first; the source is left as it was, so going back is
// starting the gateways on the old prefix. Everything that lives in a partition follows its card:
// records and dedupe entries by the record's card token, index entries by their record, the
// open-entry index and the card and holder keys by their token; ride counters are summed into
// partition (old % new), as queryStats sums every partition. Keys outside partitions are copied.
import { isCluster, type RedisClient } from './redis-client.js';
import { RedisKeys, TAP_FIELD_BYTES } from './redis-keys.js';

export interface RepartitionReport {
  fromPartitions: number;
  toPartitions: number;
  keysRead: number;
  entriesMoved: number;
}

const CHUNK = 500;

export async function repartition(
  redis: RedisClient,
  from: { prefix: string },
  to: { prefix: string; partitions: number },
): Promise<RepartitionReport> {
  const probe = new RedisKeys(from.prefix, 1);
  const stored = Number(await redis.get(probe.layout()));
  if (!Number.isInteger(stored) || stored < 1) throw new Error(`no store under prefix '${from.prefix}'`);
  const src = new RedisKeys(from.prefix, stored);
  const dst = new RedisKeys(to.prefix, to.partitions);
  if ((await redis.exists(dst.layout())) === 1)
    throw new Error(`prefix '${to.prefix}' already holds a store`);
  const keys = await scanAll(redis, src.scanPattern());
  for (const key of keys) {
    const parsed = src.parse(key);
    if (parsed && 'suffix' in parsed && parsed.suffix === 'outbox' && (await redis.xlen(key)) > 0)
      throw new Error(`outbox of partition ${parsed.partition} is not empty: relay it first`);
  }
  const report = {
    fromPartitions: stored,
    toPartitions: to.partitions,
    keysRead: keys.length,
    entriesMoved: 0,
  };
  for (const key of keys) {
    const parsed = src.parse(key);
    if (!parsed) continue;
    if ('rest' in parsed) {
      if (key === src.layout()) continue;
      await copyKey(redis, key, dst.other(parsed.rest));
      report.entriesMoved++;
      continue;
    }
    report.entriesMoved += await movePartitionKey(redis, src, dst, parsed.partition, parsed.suffix, key);
  }
  await redis.set(dst.layout(), String(to.partitions));
  return report;
}

async function movePartitionKey(
  redis: RedisClient,
  src: RedisKeys,
  dst: RedisKeys,
  p: number,
  suffix: string,
  key: string,
): Promise<number> {
  const tokenOfKey = /^(card|holder):([0-9a-f]{32})$/.exec(suffix);
  if (tokenOfKey) {
    await copyKey(redis, key, dst.partitionKey(dst.partitionOf(tokenOfKey[2]!), suffix));
    return 1;
  }
  if (suffix === 'outbox' || suffix === 'outbox:lease' || suffix === 'wait') return 0;
  if (suffix.startsWith('st:')) {
    const counters = await redis.hgetall(key);
    const target = dst.partitionKey(p % dst.partitions, suffix);
    await Promise.all(Object.entries(counters).map(([f, v]) => redis.hincrby(target, f, Number(v))));
    return Object.keys(counters).length;
  }
  // Record-keyed: a record's partition is its card's.
  const partitionOfRecords = async (ids: string[]) => {
    const bodies = await redis.hmget(src.records(p), ...ids);
    return bodies.map((b, i) => {
      if (b === null) throw new Error(`${key}: record ${ids[i]} is not in partition ${p}`);
      return dst.partitionOf((JSON.parse(b) as { cardToken: string }).cardToken);
    });
  };
  let moved = 0;
  // A tap day bucket of dedupe keys (0196) keeps its time to live. Its fields are 12 bytes since
  // 0222 (tapField), whose first 4 are the card token's: the partition, with no record to read
  // (there is none when the history lives in PostgreSQL); an entry from before is the tap's key,
  // moved like 'seen'.
  // A day's sub-bucket (0222) keeps its number: a tap's is a hash of its device, epoch and seqs,
  // the same under any partition count, and the days' counts are copied with the other keys.
  const dayBucket = /^seen:\d+(:\d+)?$/.test(suffix);
  if (dayBucket) {
    const ttlMs = await redis.pttl(key);
    const targets = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscanBuffer(key, cursor, 'COUNT', CHUNK);
      const olds: Array<[string, Buffer]> = [];
      const writes: Array<Promise<unknown>> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const field = flat[i]!;
        if (!isOldTapField(field)) {
          const target = dst.partitionKey(field.readUInt32BE(0) % dst.partitions, suffix);
          targets.add(target);
          writes.push(redis.hset(target, field, flat[i + 1]!));
        } else olds.push([field.toString('latin1'), flat[i + 1]!]);
      }
      if (olds.length > 0) {
        const to = await partitionOfRecords(olds.map(([id]) => id));
        olds.forEach(([id, value], i) => {
          const target = dst.partitionKey(to[i]!, suffix);
          targets.add(target);
          writes.push(redis.hset(target, id, value));
        });
      }
      await Promise.all(writes);
      moved += flat.length / 2;
      cursor = String(next);
    } while (cursor !== '0');
    if (ttlMs > 0) await Promise.all([...targets].map((t) => redis.pexpire(t, ttlMs)));
    return moved;
  }
  if (suffix === 'rec' || suffix === 'seen') {
    const targets = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(key, cursor, 'COUNT', CHUNK);
      const ids = flat.filter((_, i) => i % 2 === 0);
      if (ids.length > 0) {
        const to = await partitionOfRecords(ids);
        await Promise.all(
          ids.map((id, i) => {
            targets.add(dst.partitionKey(to[i]!, suffix));
            return redis.hset(dst.partitionKey(to[i]!, suffix), id, flat[2 * i + 1]!);
          }),
        );
        moved += ids.length;
      }
      cursor = next;
    } while (cursor !== '0');
    return moved;
  }
  if (suffix.startsWith('ix:') || suffix === 'open') {
    let cursor = '0';
    do {
      const [next, flat] = await redis.zscan(key, cursor, 'COUNT', CHUNK);
      const members = flat.filter((_, i) => i % 2 === 0);
      if (members.length > 0) {
        const to =
          suffix === 'open' ? members.map((t) => dst.partitionOf(t)) : await partitionOfRecords(members);
        await Promise.all(
          members.map((m, i) => redis.zadd(dst.partitionKey(to[i]!, suffix), flat[2 * i + 1]!, m)),
        );
        moved += members.length;
      }
      cursor = next;
    } while (cursor !== '0');
    return moved;
  }
  throw new Error(`${key}: a partition key this re-partition does not know; nothing was decided for it`);
}

/**
 * A tap dedupe field from before 0222: the tap's key, "tap:<device>:[<epoch>:]<seq>" (device ids
 * are core/topics.ts ID_PATTERN). A 12-byte field of 0222 reads as one only if its token starts
 * with the bytes of "tap:" (1 in 2^32) and its 8 digest bytes happen to spell the rest.
 */
function isOldTapField(field: Buffer): boolean {
  return (
    field.length !== TAP_FIELD_BYTES ||
    /^tap:[A-Za-z0-9_.-]{1,64}:([0-9a-f]+:)?[0-9]+$/.test(field.toString('latin1'))
  );
}

/** DUMP + RESTORE with the key's time to live: exact, whatever the type, across slots. */
async function copyKey(redis: RedisClient, from: string, to: string): Promise<void> {
  const [dump, pttl] = await Promise.all([redis.dumpBuffer(from), redis.pttl(from)]);
  if (dump === null) return; // expired meanwhile
  await redis.restore(to, pttl > 0 ? pttl : 0, dump);
}

/** Every key matching pattern, from every master on a Cluster. */
async function scanAll(redis: RedisClient, pattern: string): Promise<string[]> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  const out: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      out.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return out.sort();
}
