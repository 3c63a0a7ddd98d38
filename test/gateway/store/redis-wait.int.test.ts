// WAIT for replicas (docs/decisions/0194) against the test Redis, which has none: a commit that
// must reach a replica fails with a coded error after the timeout (the ingest then sends no ack
// and the device resends), and with 0 replicas asked nothing waits.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { ReplicaWaitError } from '../../../gateway/src/store/redis-client.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { issue, rideOf, tap, token } from './fixtures.js';

let admin: Redis;
const prefix = uniqueId('oc');

beforeAll(() => {
  admin = new Redis(testEnv.redisUrl());
});

afterAll(async () => {
  const keys = await admin.keys(`${prefix}:*`);
  if (keys.length > 0) await admin.unlink(...keys);
  await admin.quit();
});

describe('Redis commits that wait for a replica', () => {
  it('fail with REDIS_REPLICA_WAIT when no replica confirms in time, for a resend too', async () => {
    expect(Number((await admin.info('replication')).match(/connected_slaves:(\d+)/)![1])).toBe(0);
    const plain = await openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, partitions: 4 });
    const card = await issue(plain, 9, 1_000);
    const durable = await openRedisStore({
      url: testEnv.redisUrl(),
      keyPrefix: prefix,
      partitions: 4,
      waitReplicas: 1,
      waitTimeoutMs: 50,
    });
    const ride = rideOf(card, tap({ cardToken: token(9), seq: 1 }));
    const failed = await durable.commit([ride]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ReplicaWaitError);
    expect(failed).toMatchObject({ code: 'REDIS_REPLICA_WAIT', wanted: 1, reached: 0 });
    // The resend is answered from the dedupe hash, and still not confirmed: no ack either.
    await expect(durable.commit([ride])).rejects.toMatchObject({ code: 'REDIS_REPLICA_WAIT' });
    // Without the wait the same store answers the duplicate.
    const [again] = await plain.commit([ride]);
    expect(again!.status).toBe('duplicate');
    await durable.close();
    await plain.close();
  });
});
