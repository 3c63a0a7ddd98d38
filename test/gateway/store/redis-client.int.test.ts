// The store's seam to ioredis (gateway/src/store/redis-client.ts, docs/decisions/0183): one file
// names the client classes, and scripts go out as EVALSHA with EVAL when Redis lost them.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedis,
  luaScript,
  type RedisClient,
  runScript,
} from '../../../gateway/src/store/redis-client.js';
import { testEnv, uniqueId } from '../../support/env.js';

const STORE = new URL('../../../gateway/src/store/', import.meta.url);

let redis: RedisClient;

beforeAll(() => {
  redis = connectRedis(testEnv.redisUrl());
});

afterAll(async () => {
  await redis.quit();
});

describe('Redis client seam', () => {
  it('is the only store file that imports ioredis', () => {
    const importing = readdirSync(STORE)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from 'ioredis'/.test(readFileSync(new URL(f, STORE), 'utf8')));
    expect(importing).toEqual(['redis-client.ts']);
  });

  it('runs a script Redis does not have (EVAL), then by its hash, with keys and arguments apart', async () => {
    const key = `${uniqueId('oc')}:{t}:n`;
    // A script of this test only (the key in its source): no other test can have loaded it.
    const script = luaScript(`-- ${key}\nreturn {redis.call('INCRBY', KEYS[1], ARGV[1]), #KEYS, #ARGV}`);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    expect(await runScript(redis, script, [key], [5])).toEqual([5, 1, 1]);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await runScript(redis, script, [key], [2])).toEqual([7, 1, 1]);
    await redis.del(key);
  });

  it('passes a script error through as it is', async () => {
    const script = luaScript("return redis.error_reply('BOOM it broke')");
    await expect(runScript(redis, script, [], [])).rejects.toThrow('BOOM it broke');
  });
});
