// The Redis outbox read back as RecordBatches (gateway/src/store/redis-outbox.ts, 0209), every
// entry kind a stream may hold at an upgrade: b/n (a commit's batch, as commitEffects writes it),
// i + r (one record's JSON, records not kept, 0204) and i alone (the record in the records hash).
// Entries are written here by hand, with explicit stream ids, so their times are known.
import { describe, expect, it } from 'vitest';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../protos/record-codec.js';
import { testEnv } from '../../support/env.js';
import { redisSuite } from '../../support/redis-suite.js';
import { T0 } from './fixtures.js';
import { rides } from './pg/records.js';

const suite = redisSuite();

describe('Redis outbox entries', () => {
  it('reads each kind of entry, oldest first, as a batch with its count and the time of its stream id', async () => {
    const store = await openRedisStore({
      url: testEnv.redisUrl(),
      keyPrefix: suite.prefix,
      keepRecords: false,
    });
    const keys = new RedisKeys(suite.prefix, 16);
    try {
      const [a, b, c, d] = rides(4, T0, 1_000);
      const batch = encodeRecordBatch([a!, b!]);
      // Varints past 127 are no UTF-8: a batch read as a string would not come back whole.
      expect(batch.some((x) => x > 0x7f)).toBe(true);
      const outbox = keys.outbox(3);
      await suite.admin.hset(keys.records(3), d!.id, JSON.stringify(d));
      await suite.admin.xadd(outbox, '1765000000001-0', 'i', c!.id, 'r', JSON.stringify(c));
      await suite.admin.xadd(outbox, '1765000000002-0', 'i', d!.id);
      await suite.admin.xadd(outbox, '1765000000003-5', 'b', batch, 'n', '2');

      const entries = await store.readOutbox(3, 10);
      expect(entries.map(({ id, count, committedAt }) => ({ id, count, committedAt }))).toEqual([
        { id: '1765000000001-0', count: 1, committedAt: 1_765_000_000_001 },
        { id: '1765000000002-0', count: 1, committedAt: 1_765_000_000_002 },
        { id: '1765000000003-5', count: 2, committedAt: 1_765_000_000_003 },
      ]);
      expect(Buffer.from(entries[2]!.batch).equals(batch)).toBe(true);
      expect(entries.map((e) => decodeRecordBatch(e.batch))).toEqual([[c], [d], [a, b]]);

      await store.ackOutbox(3, '1765000000002-0');
      expect((await store.readOutbox(3, 10)).map((e) => e.id)).toEqual(['1765000000003-5']);
    } finally {
      await store.close();
    }
  });

  it('refuses to go past a damaged entry: a record gone, a batch without its count', async () => {
    const store = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: suite.prefix });
    const keys = new RedisKeys(suite.prefix, 16);
    try {
      await suite.admin.xadd(keys.outbox(0), '1765000000001-0', 'i', 'tap:gone:1');
      await expect(store.readOutbox(0, 10)).rejects.toThrow(
        'outbox entry 1765000000001-0 of partition 0: record tap:gone:1 missing',
      );
      await suite.admin.xadd(keys.outbox(1), '1765000000001-0', 'b', encodeRecordBatch(rides(1, T0, 1)));
      await expect(store.readOutbox(1, 10)).rejects.toThrow(
        'outbox entry 1765000000001-0 of partition 1: no record count',
      );
    } finally {
      await store.close();
    }
  });
});
