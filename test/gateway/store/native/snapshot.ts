// The module's tests against the Lua scripts (docs/decisions/0232) compare every key two
// implementations left, each under its own prefix; their random calls number keys as the
// gateway does (KEYS from 1, each key once).
import type { Redis } from 'ioredis';

/**
 * KEYS as a call numbers them: `num(id, key)` gives the key named `id` its number, from 1 in
 * first-use order, the same number each time; `keys` holds how to name each under a prefix.
 */
export function keyNumbers<K>() {
  const keys: K[] = [];
  const byId = new Map<string, number>();
  const num = (id: string, key: K): number => {
    let n = byId.get(id);
    if (n === undefined) {
      n = keys.push(key);
      byId.set(id, n);
    }
    return n;
  };
  return { keys, num };
}

/** Every key under a prefix, as comparable values (the prefix taken out of names). */
export async function snapshot(admin: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const keys = (await admin.keys(`${prefix}:*`)).sort();
  for (const key of keys) {
    const name = key.slice(prefix.length);
    const type = await admin.type(key);
    const ttl = (await admin.ttl(key)) > 0 ? 'ttl' : 'none';
    if (type === 'string') out[name] = [ttl, (await admin.getBuffer(key))!.toString('hex')];
    else if (type === 'hash') {
      const h = (await admin.callBuffer('HGETALL', key)) as Buffer[];
      const pairs: string[] = [];
      for (let x = 0; x < h.length; x += 2)
        pairs.push(`${h[x]!.toString('hex')}=${h[x + 1]!.toString('hex')}`);
      out[name] = [ttl, pairs.sort()];
    } else if (type === 'zset') out[name] = [ttl, await admin.zrange(key, 0, -1, 'WITHSCORES')];
    else if (type === 'stream')
      out[name] = [
        ttl,
        (await admin.xrangeBuffer(key, '-', '+')).map(([, fields]) => fields.map((f) => f.toString('hex'))),
      ];
    else out[name] = [ttl, type];
  }
  return out;
}
