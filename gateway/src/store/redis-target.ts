// Where the configured Redis store lives (docs/decisions/0193), read from the gateway's settings
// in one place: the gateway (app.ts) and the offline commands that work on the same Redis
// (scripts/redis-drop-records.ts) must never disagree on it.
import type { GatewayConfig } from '../config.js';
import { parseNodes, type RedisTarget } from './redis-client.js';

export type RedisTargetConfig = Pick<
  GatewayConfig,
  'redisUrl' | 'redisCluster' | 'redisSentinels' | 'redisSentinelMaster'
>;

/** A Cluster, a Sentinel-named primary or one Redis, as configured. */
export function redisTargetOf(config: RedisTargetConfig): RedisTarget {
  if (config.redisCluster !== '') return { kind: 'cluster', seeds: parseNodes(config.redisCluster) };
  if (config.redisSentinels !== '') {
    const db = Number(new URL(config.redisUrl).pathname.slice(1) || '0');
    return {
      kind: 'sentinel',
      sentinels: parseNodes(config.redisSentinels),
      master: config.redisSentinelMaster,
      db,
    };
  }
  return { kind: 'single', url: config.redisUrl };
}
