// The deny list on Redis, under the {lists} hash tag: entries (hash), version (counter) and the
// change log (list), changed together by lua/changeDenyList-3.lua.
import type { DenyReasonName } from '../../../protos/codec.js';
import type { DenyChange, DenyEntry } from './port.js';
import type { RedisClient } from './redis-client.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import type { RedisKeys } from './redis-keys.js';
import type { Scripts } from './redis-scripts.js';

/** A change as the log keeps it; its version is its position in the log. */
interface LoggedChange {
  t: string;
  a: boolean;
  r: DenyReasonName;
  at: number;
}

export async function changeDenyList(
  scripts: Scripts,
  keys: RedisKeys,
  change: Omit<DenyChange, 'version'>,
): Promise<DenyChange | null> {
  const logged: LoggedChange = { t: change.token, a: change.add, r: change.reason, at: change.at };
  const reply = (await scripts.run(
    'changeDenyList',
    [keys.deny(), keys.denyVersion(), keys.denyLog()],
    [change.token, change.add ? '1' : '0', change.reason, JSON.stringify(logged)],
  )) as [unknown, number?];
  const code = resultCode('changeDenyList', reply[0]);
  if (code === ScriptResult.NOOP) return null;
  return { version: Number(reply[1]), ...change };
}

export async function denyListVersion(redis: RedisClient, keys: RedisKeys): Promise<number> {
  return Number((await redis.get(keys.denyVersion())) ?? 0);
}

export async function denyChangesSince(
  redis: RedisClient,
  keys: RedisKeys,
  since: number,
  limit: number,
): Promise<DenyChange[]> {
  const from = Math.max(0, since);
  if (limit <= 0) return [];
  const rows = await redis.lrange(keys.denyLog(), from, from + limit - 1);
  return rows.map((row, i) => {
    const c = JSON.parse(row) as LoggedChange;
    return { version: from + i + 1, token: c.t, add: c.a, reason: c.r, at: c.at };
  });
}

/** One HSCAN page of the deny list (cursor '' or '0' to start). */
export async function denyEntriesPage(
  redis: RedisClient,
  keys: RedisKeys,
  cursor: string,
  limit: number,
): Promise<{ entries: DenyEntry[]; next: string | undefined }> {
  const [next, flat] = await redis.hscan(keys.deny(), cursor || '0', 'COUNT', limit);
  const entries: DenyEntry[] = [];
  for (let i = 0; i < flat.length; i += 2)
    entries.push({ token: flat[i]!, reason: flat[i + 1] as DenyReasonName });
  return { entries, next: next === '0' ? undefined : next };
}

/**
 * The whole list without blocking Redis on one huge HGETALL: HSCAN in pages, then replay the
 * changes logged while the scan ran. HSCAN returns every entry present from start to end; an
 * entry changed meanwhile may come back in either state, and replaying the log in order from
 * the version read before the scan to the one read after it leaves exactly the list of the
 * later version.
 */
export async function denySnapshot(
  redis: RedisClient,
  keys: RedisKeys,
): Promise<{ version: number; entries: DenyEntry[] }> {
  const before = await denyListVersion(redis, keys);
  const entries = new Map<string, DenyReasonName>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(keys.deny(), cursor, 'COUNT', 1000);
    for (let i = 0; i < flat.length; i += 2) entries.set(flat[i]!, flat[i + 1] as DenyReasonName);
    cursor = next;
  } while (cursor !== '0');
  const version = await denyListVersion(redis, keys);
  if (version > before) {
    for (const c of await denyChangesSince(redis, keys, before, version - before)) {
      if (c.add) entries.set(c.token, c.reason);
      else entries.delete(c.token);
    }
  }
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { version, entries: sorted.map(([token, reason]) => ({ token, reason })) };
}
