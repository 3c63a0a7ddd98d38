// The versioned lists (store/ports/lists.ts), the deny list among them, on Redis under the
// {lists} hash tag: entries (hash), version (counter) and change log (list), changed together
// by lua/changeList-3.lua.
import type { ListChange, ListKind, ListVersionChanges } from './port.js';
import type { RedisClient } from './redis-client.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import type { RedisKeys } from './redis-keys.js';
import type { Scripts } from './redis-scripts.js';

/** A version as lua/changeList-3.lua logs it: its time and its changes, [key, value] pairs. */
interface LoggedVersion {
  at: number;
  c: Array<[string, string]> | Record<string, never>;
}

/**
 * A deny-list change as logged before the deny list became a list kind (docs/decisions/0184):
 * token, added, reason. Such logs are read on as they are.
 */
interface LoggedDenyChange {
  t: string;
  a: boolean;
  r: string;
  at: number;
}

export class RedisLists {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
  ) {}

  async changeList(
    kind: ListKind,
    scope: string,
    changes: readonly ListChange[],
    now: number,
  ): Promise<ListVersionChanges | null> {
    if (changes.length === 0) return null;
    const reply = (await this.scripts.run(
      'changeList',
      [this.keys.list(kind, scope), this.keys.list(kind, scope, 'lv'), this.keys.list(kind, scope, 'll')],
      [now, ...changes.flatMap((c) => [c.key, c.value])],
    )) as [unknown, number?, ...string[]];
    if (resultCode('changeList', reply[0]) === ScriptResult.NOOP) return null;
    const flat = reply.slice(2) as string[];
    const effective: ListChange[] = [];
    for (let i = 0; i < flat.length; i += 2) effective.push({ key: flat[i]!, value: flat[i + 1] ?? '' });
    return { version: Number(reply[1]), at: now, changes: effective };
  }

  async listVersion(kind: ListKind, scope: string): Promise<number> {
    return Number((await this.redis.get(this.keys.list(kind, scope, 'lv'))) ?? 0);
  }

  async listSize(kind: ListKind, scope: string): Promise<number> {
    return this.redis.hlen(this.keys.list(kind, scope));
  }

  async listChangesSince(
    kind: ListKind,
    scope: string,
    since: number,
    limit: number,
  ): Promise<ListVersionChanges[]> {
    const from = Math.max(0, since);
    if (limit <= 0) return [];
    const rows = await this.redis.lrange(this.keys.list(kind, scope, 'll'), from, from + limit - 1);
    return rows.map((row, i) => {
      const e = JSON.parse(row) as LoggedVersion | LoggedDenyChange;
      if ('t' in e)
        return { version: from + i + 1, at: e.at, changes: [{ key: e.t, value: e.a ? e.r : '' }] };
      // cjson encodes an empty table as {}; a logged version always has changes, but be exact.
      const pairs = Array.isArray(e.c) ? e.c : [];
      return { version: from + i + 1, at: e.at, changes: pairs.map(([key, value]) => ({ key, value })) };
    });
  }

  async listEntriesPage(
    kind: ListKind,
    scope: string,
    cursor: string,
    limit: number,
  ): Promise<{ entries: ListChange[]; next: string | undefined }> {
    const [next, flat] = await this.redis.hscan(this.keys.list(kind, scope), cursor || '0', 'COUNT', limit);
    const entries: ListChange[] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push({ key: flat[i]!, value: flat[i + 1]! });
    return { entries, next: next === '0' ? undefined : next };
  }
}
