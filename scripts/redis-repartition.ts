// Offline re-partition of the Redis store (docs/operations.md, decision 0193): copies the store
// under one key prefix to another prefix with another partition count, the source untouched.
//   node --import tsx scripts/redis-repartition.ts <from-prefix> <to-prefix> <partitions>
// Redis from ONECARD_REDIS_CLUSTER (seeds) or ONECARD_REDIS_URL, as the gateway reads them.
// Stop every gateway first; the relay must have emptied every outbox (the copy refuses otherwise).
import { connectRedis, parseNodes } from '../gateway/src/store/redis-client.js';
import { repartition } from '../gateway/src/store/redis-repartition.js';

const [from, to, count] = process.argv.slice(2);
const partitions = Number(count);
if (!from || !to || !Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
  console.error('usage: redis-repartition.ts <from-prefix> <to-prefix> <partitions 1..1024>');
  process.exit(2);
}
const seeds = process.env.ONECARD_REDIS_CLUSTER ?? '';
const redis = connectRedis(
  seeds !== ''
    ? { kind: 'cluster', seeds: parseNodes(seeds) }
    : { kind: 'single', url: process.env.ONECARD_REDIS_URL ?? 'redis://127.0.0.1:6379' },
);
try {
  const report = await repartition(redis, { prefix: from }, { prefix: to, partitions });
  console.log(JSON.stringify(report));
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
