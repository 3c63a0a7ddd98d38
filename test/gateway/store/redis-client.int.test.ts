// The store's seam to ioredis (gateway/src/store/redis-client.ts, docs/decisions/0183): one file
// names the client classes, and scripts go out as EVALSHA with EVAL when Redis lost them.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRedis,
  luaScript,
  mgetWritten,
  type RedisClient,
  runScript,
  SendBuffers,
  sendBuffers,
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

describe('send buffers (0236)', () => {
  it('hand a buffer out to one command at a time, and take it back for the next', () => {
    const pool = new SendBuffers();
    const a = pool.take(100);
    const b = pool.take(100);
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(100);
    pool.give(a);
    expect(pool.take(50)).toBe(a);
    // Too small for what is asked: a new one, the small one kept.
    pool.give(b);
    const big = pool.take(b.length + 1);
    expect(big).not.toBe(b);
    expect(pool.kept().count).toBe(1);
  });

  it('keep at most MAX_FREE buffers, none over MAX_KEPT bytes, however many come back', () => {
    const pool = new SendBuffers();
    pool.give(Buffer.allocUnsafe(SendBuffers.MAX_KEPT + 1));
    expect(pool.kept().count).toBe(0);
    const lent = Array.from({ length: SendBuffers.MAX_FREE * 3 }, (_, i) => pool.take(1_000 + i * 10_000));
    for (const b of lent) pool.give(b);
    const kept = pool.kept();
    expect(kept.count).toBe(SendBuffers.MAX_FREE);
    expect(kept.bytes).toBeLessThanOrEqual(SendBuffers.MAX_FREE * SendBuffers.MAX_KEPT);
    // The largest were kept, so the next large command needs no new buffer.
    const largest = lent.at(-1)!;
    expect(pool.take(largest.length)).toBe(largest);
  });
});

/**
 * Between ioredis and Redis: passes bytes both ways, but while `drop` is set it cuts the first
 * connection that sends anything before passing it on (a connection lost with commands unread).
 */
function cuttingProxy(target: { host: string; port: number }) {
  const state = { drop: false, cut: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = tcpConnect(target.port, target.host);
    sockets.add(upstream);
    client.on('data', (chunk) => {
      if (state.drop) {
        state.drop = false;
        state.cut++;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const s of [client, upstream]) {
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  return {
    state,
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
      ),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a written command cut off before Redis read it (0236)', () => {
  it('is sent again after the reconnect with its own bytes, though other commands were written meanwhile', async () => {
    const u = new URL(testEnv.redisUrl());
    const proxy = cuttingProxy({ host: u.hostname, port: Number(u.port) });
    const port = await proxy.listen();
    const db = u.pathname.slice(1) || '0';
    // ioredis sends again what was unanswered when a connection drops (its default).
    const client = new Redis({ host: '127.0.0.1', port, db: Number(db), retryStrategy: () => 20 });
    const admin = new Redis(testEnv.redisUrl());
    const prefix = uniqueId('oc');
    try {
      await client.ping();
      // Same lengths: had the first command's buffer been handed to the second while the first
      // was unanswered, the first would be sent again as the second, byte for byte.
      const keys = ['a', 'b', 'c'].map((x) => `${prefix}:{t}:${x}`);
      await admin.mset(keys[0]!, 'first', keys[1]!, 'second', keys[2]!, 'third');
      proxy.state.drop = true;
      const first = mgetWritten(client, [keys[0]!]);
      const more = [mgetWritten(client, [keys[1]!]), mgetWritten(client, [keys[2]!])];
      expect(await first).toEqual(['first']);
      expect(await Promise.all(more)).toEqual([['second'], ['third']]);
      expect(proxy.state.cut).toBe(1);
      // Every one settled: their buffers are back, and the next command reuses one.
      expect(sendBuffers.kept().count).toBeGreaterThan(0);
      await admin.del(...keys);
    } finally {
      client.disconnect();
      await admin.quit();
      await proxy.close();
    }
  });
});
