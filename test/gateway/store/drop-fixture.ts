// A Redis store that kept its records (ONECARD_HISTORY=store), with part of them in the
// PostgreSQL history, for the suites of `redis:drop-records` (docs/decisions/0212): rides of 16
// cards over three UTC days committed with records kept, the outbox relayed (acked), and the
// chosen records written to PostgreSQL by the history writer, as the consumer would. And what
// Redis holds of them: record ids, index members and counter hashes, by key without the prefix.
import type { CardState } from '../../../core/card.js';
import type { LedgerRecord } from '../../../core/ledger.js';
import { statOf } from '../../../gateway/src/stats/rides.js';
import { PgHistoryWriter } from '../../../gateway/src/store/pg/writer.js';
import type { Store } from '../../../gateway/src/store/port.js';
import type { RedisClient } from '../../../gateway/src/store/redis-client.js';
import { isCluster } from '../../../gateway/src/store/redis-client.js';
import { RedisKeys } from '../../../gateway/src/store/redis-keys.js';
import { issue, planRun, T0, tap, token } from './fixtures.js';

export const DAY_MS = 24 * 3600_000;
export const CARDS = 16;

/** Commits `count` rides of cards 0..15 in turn, one every 10 minutes from T0 (three UTC days for 320). */
export async function commitRides(store: Store, count: number): Promise<LedgerRecord[]> {
  const cards = new Map<string, CardState>();
  for (let n = 0; n < CARDS; n++) cards.set(token(n), await issue(store, n, 1_000_000));
  const taps = Array.from({ length: count }, (_, i) =>
    tap({
      cardToken: token(i % CARDS),
      seq: i + 1,
      deviceTimeMs: T0 + i * 600_000,
      // Two operators, so counter hashes differ by operator as well as by day.
      ...(i % 5 === 0 ? { operatorId: 'metro-co', deviceId: 'gate-9', routeId: 'm1', stopId: '' } : {}),
    }),
  );
  const records: LedgerRecord[] = [];
  for (let from = 0; from < taps.length; from += 100) {
    const effects = planRun(cards, taps.slice(from, from + 100));
    const outcomes = await store.commit(effects);
    if (outcomes.some((o) => o.status !== 'applied')) throw new Error('a fixture ride did not apply');
    records.push(...effects.map((e) => e.record));
    // Reloaded: the next batch chains from the committed state.
    for (const [t, c] of await store.loadCards([...cards.keys()])) cards.set(t, c);
  }
  await relayAll(store);
  return records;
}

/** The relay's part: every outbox entry sent (acked), whatever PostgreSQL has written yet. */
export async function relayAll(store: Store): Promise<void> {
  for (let p = 0; p < store.outboxPartitions(); p++)
    for (;;) {
      const page = await store.readOutbox(p, 1000);
      if (page.length === 0) break;
      await store.ackOutbox(p, page.at(-1)!.id);
    }
}

/** The history consumer's part for these records. */
export async function feedPg(writer: PgHistoryWriter, records: readonly LedgerRecord[]): Promise<void> {
  if (records.length > 0) await writer.write(records);
}

export { PgHistoryWriter };

/**
 * What Redis holds under the prefix, keys without it: record ids of each records hash, members
 * of each index zset, the counter hashes (their fields), and every other key by name.
 */
export async function snapshot(redis: RedisClient, prefix: string): Promise<Record<string, string[]>> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
  }
  const out: Record<string, string[]> = {};
  for (const key of keys.sort()) {
    const name = key.slice(prefix.length + 1);
    if (name.endsWith(':rec') || name.includes(':st:')) out[name] = (await redis.hkeys(key)).sort();
    else if (name.includes(':ix:')) out[name] = (await redis.zrange(key, 0, -1)).sort();
    else out[name] = [];
  }
  return out;
}

/** The snapshot with only these records left of those in `gone`, and no key left empty. */
export function without(
  snap: Record<string, string[]>,
  gone: ReadonlySet<string>,
  droppedCounters: (name: string) => boolean = () => false,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(snap)) {
    if (name.includes(':st:')) {
      if (!droppedCounters(name)) out[name] = members;
      continue;
    }
    if (!name.endsWith(':rec') && !name.includes(':ix:')) {
      out[name] = members;
      continue;
    }
    const left = members.filter((m) => !gone.has(m));
    if (left.length > 0) out[name] = left;
  }
  return out;
}

/** Names (without the prefix) of the counter hashes these records count in (redis-stats.ts). */
export function countedIn(records: readonly LedgerRecord[], partitions: number): Set<string> {
  const keys = new RedisKeys('x', partitions);
  const out = new Set<string>();
  for (const r of records) {
    const s = statOf(r);
    if (!s) continue;
    const day = new Date(s.hour).toISOString().slice(0, 10).replaceAll('-', '');
    out.add(keys.stats(keys.partitionOf(r.cardToken), s.operatorId, day).slice(2));
  }
  return out;
}
