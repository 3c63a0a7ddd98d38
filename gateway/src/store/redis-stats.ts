// The Redis store's ride counters (stats/rides.ts): commitEffects-0.lua HINCRBYs them in the
// same script call as the record, in a hash per (partition, operator, UTC day) so the keys
// stay in the partition's hash slot; a query sums the partitions.
import type { LedgerRecord } from '../../../core/ledger.js';
import { HOUR_MS, type StatRow, type StatSummary, statOf, summarize } from '../stats/rides.js';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

// 'g' held the fare forgone before decision 0162 (it counted the card discount too); a new
// letter so old hashes' figures of the other meaning are never added in.
const LETTERS = { rides: 'r', denied: 'd', chargedFen: 'c', free: 'f', subsidyFen: 's' } as const;
const METRIC_OF: Record<string, keyof typeof LETTERS> = {
  r: 'rides',
  d: 'denied',
  c: 'chargedFen',
  f: 'free',
  s: 'subsidyFen',
};
const DAY_MS = 24 * HOUR_MS;

/** The last day asked for and its name: the taps of a batch are nearly all of one day. */
let lastDay = { n: Number.NaN, name: '' };

function day(ms: number): string {
  const n = Math.floor(ms / DAY_MS);
  if (n !== lastDay.n)
    lastDay = { n, name: new Date(n * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '') };
  return lastDay.name;
}

/**
 * [statsKey#, field, n, ...] for the Lua script, or false for a record that counts nowhere.
 * statsNo: the number of the counters' hash of an operator's UTC day in the call being built.
 */
export function statIncrements(
  r: LedgerRecord,
  statsNo: (operatorId: string, day: string) => number,
): false | Array<number | string> {
  const s = statOf(r);
  if (!s) return false;
  const out: Array<number | string> = [statsNo(s.operatorId, day(s.hour))];
  const prefix = `${s.hour}|${s.line}|${s.concession}|`;
  // In the order of LETTERS; a metric at 0 is left out.
  if (s.rides !== 0) out.push(prefix + LETTERS.rides, s.rides);
  if (s.denied !== 0) out.push(prefix + LETTERS.denied, s.denied);
  if (s.chargedFen !== 0) out.push(prefix + LETTERS.chargedFen, s.chargedFen);
  if (s.free !== 0) out.push(prefix + LETTERS.free, s.free);
  if (s.subsidyFen !== 0) out.push(prefix + LETTERS.subsidyFen, s.subsidyFen);
  return out;
}

export async function queryStats(
  redis: RedisClient,
  keys: RedisKeys,
  operators: readonly string[],
  from: number,
  to: number,
): Promise<StatSummary> {
  const wanted: string[] = [];
  for (let d = Math.floor(from / DAY_MS) * DAY_MS; d < to; d += DAY_MS)
    for (const op of operators)
      for (let p = 0; p < keys.partitions; p++) wanted.push(keys.stats(p, op, day(d)));
  const opOf = (key: string) => key.split(':st:')[1]!.split(':')[0]!;
  const hashes = await Promise.all(wanted.map((k) => redis.hgetall(k)));
  const rows: StatRow[] = [];
  hashes.forEach((h, i) => {
    const buckets = new Map<string, StatRow>();
    for (const [field, value] of Object.entries(h)) {
      const [hour, line, concession, letter] = field.split('|') as [string, string, string, string];
      const at = Number(hour);
      if (at < from || at >= to) continue;
      const k = `${hour}|${line}|${concession}`;
      let row = buckets.get(k);
      if (!row) {
        row = {
          operatorId: opOf(wanted[i]!),
          hour: at,
          line,
          concession,
          rides: 0,
          denied: 0,
          chargedFen: 0,
          free: 0,
          subsidyFen: 0,
        };
        buckets.set(k, row);
      }
      const metric = METRIC_OF[letter];
      if (metric) row[metric] += Number(value);
    }
    rows.push(...buckets.values());
  });
  return summarize(rows);
}
