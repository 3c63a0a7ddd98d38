// What the dedupe window costs in Redis, by key kind (issue 10 items 1 and 5, docs/decisions/0222):
// after a run, MEMORY USAGE (SAMPLES 0: every element counted) of each of the run's keys, summed
// by kind, so a city's window can be priced as taps a day × days × bytes a tap:
//   claims  the devices' seq-block buckets, {d:<device>}:claims:<epoch>:b<n> (0220)
//   dedupe  the partitions' tap dedupe day buckets, {pN}:seen:<day> (0196, 0222)
//   marks   the devices' high-water marks, {d:<device>}:hwm (0196, 0220)
// and the entry itself: the mean length of a dedupe bucket's field and value (HRANDFIELD sample).
// The window is claims + dedupe + marks; whatever else the server grew by is the caller's "rest".
import type { Redis } from 'ioredis';

export interface WindowBytes {
  claims: number;
  dedupe: number;
  marks: number;
  /** Keys of each kind. */
  keys: { claims: number; dedupe: number; marks: number };
  /** Mean bytes of a tap dedupe entry's field and value (0 without one). */
  fieldBytes: number;
  valueBytes: number;
  /** Dedupe buckets in Redis's compact (listpack) encoding, of all of them. */
  dedupeListpacks: number;
}

type Kind = 'claims' | 'dedupe' | 'marks';

/** The window kind of one of the store's keys (redis-keys.ts), or undefined for any other. */
export function windowKind(prefix: string, key: string): Kind | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  if (/^\{d:[^}]*\}:claims:/.test(rest)) return 'claims';
  if (/^\{d:[^}]*\}:hwm$/.test(rest)) return 'marks';
  if (/^\{p\d+\}:seen:\d+(:\d+)?$/.test(rest)) return 'dedupe';
  return undefined;
}

/** The window's bytes under `prefix` (a run's own keys; nothing else is counted). */
export async function windowBytes(redis: Redis, prefix: string, sampleEntries = 2000): Promise<WindowBytes> {
  const out: WindowBytes = {
    claims: 0,
    dedupe: 0,
    marks: 0,
    keys: { claims: 0, dedupe: 0, marks: 0 },
    fieldBytes: 0,
    valueBytes: 0,
    dedupeListpacks: 0,
  };
  const dedupeKeys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    const mine = found
      .map((k) => [k, windowKind(prefix, k)] as const)
      .filter((x): x is readonly [string, Kind] => x[1] !== undefined);
    const pipe = redis.pipeline();
    for (const [k] of mine) pipe.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    const replies = (await pipe.exec()) ?? [];
    mine.forEach(([k, kind], i) => {
      const [err, v] = replies[i]!;
      if (err || v === null) return;
      out[kind] += Number(v);
      out.keys[kind]++;
      if (kind === 'dedupe') dedupeKeys.push(k);
    });
  } while (cursor !== '0');
  // The entry: a sample spread over the buckets, with its values.
  let fields = 0;
  const per = Math.max(1, Math.ceil(sampleEntries / Math.max(1, dedupeKeys.length)));
  for (const k of dedupeKeys.slice(0, sampleEntries)) {
    if ((await redis.object('ENCODING', k)) === 'listpack') out.dedupeListpacks++;
    const pairs = (await redis.hrandfieldBuffer(k, per, 'WITHVALUES')) as unknown as Buffer[];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      out.fieldBytes += pairs[i]!.length;
      out.valueBytes += pairs[i + 1]!.length;
      fields++;
    }
  }
  if (fields > 0) {
    out.fieldBytes /= fields;
    out.valueBytes /= fields;
  }
  return out;
}
