// What the module's tests against the Lua scripts share (docs/decisions/0232): a seeded random
// source, so a failing seed is a test to rerun, and every key under a prefix as comparable values.
import type { Redis } from 'ioredis';

/** A small deterministic PRNG (mulberry32): a failing seed is a failing test to rerun. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    below: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}
export type Rng = ReturnType<typeof rng>;

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
