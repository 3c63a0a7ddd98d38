// The one place the store meets ioredis' client classes (docs/decisions/0183): every other
// file takes a RedisClient, which one Redis and a Cluster both are, so a Cluster connection
// can be handed in without touching them. What makes that hold: every key a command or script
// touches carries its hash tag (redis-keys.ts), a MULTI changes keys of one tag only, and scripts
// go out as EVALSHA (runScript), a command whose keys ioredis knows, so it routes (and, with
// auto-pipelining, groups) each call by its first key. A command defined with defineCommand
// would be grouped by its first argument, the key count, and sent to the wrong node.
import { createHash } from 'node:crypto';
import { type Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/** A single Redis at url, with auto-pipelining (concurrent calls share network writes). */
export function connectRedis(url: string): Redis {
  return new Redis(url, { enableAutoPipelining: true });
}

/** A Lua script as sent: its source and the SHA-1 Redis knows it by. */
export interface LuaScript {
  lua: string;
  sha: string;
}

export function luaScript(lua: string): LuaScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * EVALSHA, and EVAL once when Redis does not have the script (a restart, SCRIPT FLUSH, a new
 * Cluster node): Redis caches it then, so the next call is an EVALSHA again.
 */
export async function runScript(
  client: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return client.eval(script.lua, keys.length, ...keys, ...args);
  }
}
