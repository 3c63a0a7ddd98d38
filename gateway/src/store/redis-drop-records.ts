// Deletes from Redis the records PostgreSQL holds, after a city switched to the PostgreSQL
// history (ONECARD_HISTORY=postgres, docs/decisions/0204, 0212): per partition, the records hash
// is walked with HSCAN a page at a time; one PostgreSQL query per page says which records the
// history holds; those are deleted in one MULTI per page (their entries in the time and every
// index zset first, the body last), so a run killed anywhere leaves whole pages done or not done
// and a run after it ends the same. Kept: records PostgreSQL does not hold (the relay or the
// consumer has not caught up), the visits an old card may still derive its entitlement uses from
// (0203), and records younger than --older-than-days. Last, after a complete walk, the ride
// counters' hashes (st:*) that no kept record counts in: PostgreSQL's ride_stats replace them.
import { dedupeDay } from '../../../core/dedupe-window.js';
import type { LedgerRecord } from '../../../core/ledger.js';
import { personalDataShape } from '../../../core/pii.js';
import { USE_KEEP_DAYS } from '../../../core/uses.js';
import { HOUR_MS, statOf } from '../stats/rides.js';
import { loadCards } from './redis-cards.js';
import { isCluster, type RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

const DAY_MS = 24 * HOUR_MS;
/** Ids of kept records named in the summary, at most. */
const SAMPLE = 5;
const PROGRESS_PAGES = 500;

/** Which of these (id, at) PostgreSQL's history holds: its records table, by primary key. */
export type HeldQuery = (ids: string[], ats: number[]) => Promise<Set<string>>;

export const HELD_SQL = `SELECT u.id FROM unnest($1::text[], $2::int8[]) AS u(id, at)
  WHERE EXISTS (SELECT 1 FROM records r WHERE r.id = u.id AND r.at = u.at)`;

export interface DropOptions {
  /** Now, Unix ms: the age and keep-period bounds are counted from it. */
  now: number;
  /** The gateways' dedupe window (ONECARD_DEDUPE_WINDOW_DAYS): the oldest tap still planned. */
  dedupeWindowDays: number;
  /** Count only: nothing is deleted. */
  dryRun?: boolean;
  /** Keep every record younger than this many days; default 0. */
  olderThanDays?: number;
  /** HSCAN COUNT per page; default 200. */
  pageSize?: number;
  /** Stop after this many pages (a run cut short, as if killed: no counters step). */
  maxPages?: number;
  /** A line of progress (the CLI writes it to stderr). */
  progress?: (line: string) => void;
}

export interface DropSummary {
  dryRun: boolean;
  prefix: string;
  partitions: number;
  /** Every partition walked to its end (false: cut by maxPages; run again to finish). */
  complete: boolean;
  pages: number;
  recordsSeen: number;
  recordsDeleted: number;
  /** Bytes of the deleted records' bodies (the JSON), without Redis' own overhead. */
  recordBytesDeleted: number;
  indexEntriesDeleted: number;
  kept: {
    /** Not in PostgreSQL: the relay or the history consumer has not caught up. */
    missingInPostgres: number;
    /** Visits an old card without uses may still derive its uses from (0203). */
    forEntitlementUses: number;
    /** Younger than olderThanDays. */
    recent: number;
  };
  /** A few of the records kept because PostgreSQL does not hold them: masked id and time. */
  missingSample: { id: string; at: string }[];
  /** Ride counter hashes deleted (or, in a dry run, that would be). */
  counterHashesDeleted: number;
  /** Visits of cards without uses at or after this are kept (ISO time). */
  usesKeptFrom: string;
  memory: { usedBefore: number; usedAfter: number; freed: number };
}

/** Deletes what PostgreSQL holds; see the file's head. */
export async function dropRecords(
  redis: RedisClient,
  keys: RedisKeys,
  held: HeldQuery,
  opts: DropOptions,
): Promise<DropSummary> {
  const pageSize = opts.pageSize ?? 200;
  const youngFrom = opts.now - (opts.olderThanDays ?? 0) * DAY_MS;
  // A tap is planned while its UTC day is within the window (0196); an old card's first counting
  // visit reads its visits from USE_KEEP_DAYS + 1 days before the tap (ingest/visits.ts). One
  // day more for the gateways' clocks.
  const usesFrom = (dedupeDay(opts.now) - opts.dedupeWindowDays - USE_KEEP_DAYS - 2) * DAY_MS;
  const s: DropSummary = {
    dryRun: opts.dryRun === true,
    prefix: keys.prefix,
    partitions: keys.partitions,
    complete: false,
    pages: 0,
    recordsSeen: 0,
    recordsDeleted: 0,
    recordBytesDeleted: 0,
    indexEntriesDeleted: 0,
    kept: { missingInPostgres: 0, forEntitlementUses: 0, recent: 0 },
    missingSample: [],
    counterHashesDeleted: 0,
    usesKeptFrom: new Date(usesFrom).toISOString(),
    memory: { usedBefore: await usedMemory(redis), usedAfter: 0, freed: 0 },
  };
  // Counter hashes a kept record counts in: they stay with it.
  const countedByKept = new Set<string>();
  walk: for (let p = 0; p < keys.partitions; p++) {
    const seenBefore = s.recordsSeen;
    const deletedBefore = s.recordsDeleted;
    let cursor = '0';
    do {
      if (opts.maxPages !== undefined && s.pages >= opts.maxPages) break walk;
      const [next, flat] = await redis.hscan(keys.records(p), cursor, 'COUNT', pageSize);
      cursor = next;
      s.pages++;
      const page: { r: LedgerRecord; bytes: number }[] = [];
      for (let i = 0; i < flat.length; i += 2)
        page.push({ r: JSON.parse(flat[i + 1]!) as LedgerRecord, bytes: flat[i + 1]!.length });
      s.recordsSeen += page.length;
      const old = page.filter(({ r }) => r.at < youngFrom);
      s.kept.recent += page.length - old.length;
      const inPg =
        old.length > 0
          ? await held(
              old.map(({ r }) => r.id),
              old.map(({ r }) => r.at),
            )
          : new Set();
      const doomed: typeof page = [];
      const needsUses = await cardsWithoutUses(redis, keys, old, usesFrom);
      for (const item of old) {
        const { r } = item;
        if (!inPg.has(r.id)) {
          s.kept.missingInPostgres++;
          if (s.missingSample.length < SAMPLE)
            s.missingSample.push({ id: maskRecordId(r.id), at: new Date(r.at).toISOString() });
        } else if (needsUses.has(r.cardToken) && feedsUses(r, usesFrom)) s.kept.forEntitlementUses++;
        else doomed.push(item);
      }
      const going = new Set(doomed.map(({ r }) => r.id));
      for (const { r } of page) if (!going.has(r.id)) noteCounted(keys, p, r, countedByKept);
      s.recordsDeleted += doomed.length;
      for (const { bytes } of doomed) s.recordBytesDeleted += bytes;
      if (doomed.length > 0 && !s.dryRun)
        s.indexEntriesDeleted += await deletePage(
          redis,
          keys,
          p,
          doomed.map(({ r }) => r),
        );
      else if (s.dryRun) for (const { r } of doomed) s.indexEntriesDeleted += indexKeys(keys, p, r).length;
      // A city's partition holds millions of records: a line every PROGRESS_PAGES pages too.
      if (s.pages % PROGRESS_PAGES === 0)
        opts.progress?.(
          `partition ${p + 1}/${keys.partitions}: ${s.recordsSeen - seenBefore} records so far`,
        );
    } while (cursor !== '0');
    if (s.recordsSeen > seenBefore)
      opts.progress?.(
        `partition ${p + 1}/${keys.partitions}: ${s.recordsSeen - seenBefore} records, ${s.recordsDeleted - deletedBefore} ${s.dryRun ? 'to delete' : 'deleted'} (total ${s.recordsDeleted}/${s.recordsSeen})`,
      );
    if (p === keys.partitions - 1) s.complete = true;
  }
  if (s.complete) s.counterHashesDeleted = await dropCounters(redis, keys, countedByKept, s.dryRun);
  s.memory.usedAfter = await usedMemory(redis);
  s.memory.freed = s.memory.usedBefore - s.memory.usedAfter;
  opts.progress?.(
    `${s.complete ? 'done' : `stopped after ${s.pages} pages`}: ${s.recordsDeleted} of ${s.recordsSeen} records ${s.dryRun ? 'to delete' : 'deleted'}, ${s.kept.missingInPostgres} not in PostgreSQL`,
  );
  return s;
}

/** A visit an old card's first counting visit would read (ingest/visits.ts derivedUses). */
function feedsUses(r: LedgerRecord, usesFrom: number): boolean {
  return r.kind === 'visit' && !!r.entitlementId && r.at >= usesFrom;
}

/**
 * The cards of these records that are known and have no uses yet (written before 0203): their
 * first counting visit derives the uses from their records (0203). A card that has them never
 * derives again (uses are never removed); an unknown card is never planned from records. Read as
 * the tap path reads cards (redis-cards.ts: a string, or a hash from before 0214).
 */
async function cardsWithoutUses(
  redis: RedisClient,
  keys: RedisKeys,
  page: readonly { r: LedgerRecord }[],
  usesFrom: number,
): Promise<Set<string>> {
  const tokens = [...new Set(page.filter(({ r }) => feedsUses(r, usesFrom)).map(({ r }) => r.cardToken))];
  const cards = await loadCards(redis, keys, tokens);
  return new Set(tokens.filter((t) => cards.get(t)?.known && cards.get(t)?.uses === undefined));
}

/** Every index zset a record is in (redis-commit.ts recordIndexes, and the time index). */
function indexKeys(keys: RedisKeys, p: number, r: LedgerRecord): string[] {
  const out = [keys.byTime(p), keys.byCard(r.cardToken)];
  if (r.deviceId) out.push(keys.byDevice(p, r.deviceId));
  if (r.routeId) out.push(keys.byRoute(p, r.routeId));
  if (r.stationId) out.push(keys.byStation(p, r.stationId));
  if (r.stopId) out.push(keys.byStop(p, r.stopId));
  if (r.cardMasked) out.push(keys.byMasked(p, r.cardMasked));
  if (r.operatorId) out.push(keys.byOperator(p, r.operatorId));
  return out;
}

/**
 * One MULTI (every key in the partition's hash slot): the index entries, then the bodies. A
 * body outlives its index entries, never the reverse, so a record half-deleted by a crash
 * between pages does not exist: the walk, driven by bodies, finds every record not yet gone.
 */
async function deletePage(
  redis: RedisClient,
  keys: RedisKeys,
  p: number,
  records: readonly LedgerRecord[],
): Promise<number> {
  const byKey = new Map<string, string[]>();
  for (const r of records)
    for (const k of indexKeys(keys, p, r)) {
      const members = byKey.get(k);
      if (members) members.push(r.id);
      else byKey.set(k, [r.id]);
    }
  const tx = redis.multi();
  for (const [k, members] of byKey) tx.zrem(k, ...members);
  tx.hdel(keys.records(p), ...records.map((r) => r.id));
  const replies = await tx.exec();
  if (!replies) throw new Error(`partition ${p}: the delete was discarded`);
  let removed = 0;
  for (const [err, n] of replies.slice(0, -1)) {
    if (err) throw err;
    removed += Number(n);
  }
  if (replies.at(-1)![0]) throw replies.at(-1)![0];
  return removed;
}

/** The ride counters' hash a record counts in (redis-stats.ts), if it counts in one. */
function noteCounted(keys: RedisKeys, p: number, r: LedgerRecord, into: Set<string>): void {
  const stat = statOf(r);
  if (!stat) return;
  const day = new Date(Math.floor(stat.hour / DAY_MS) * DAY_MS)
    .toISOString()
    .slice(0, 10)
    .replaceAll('-', '');
  into.add(keys.stats(p, stat.operatorId, day));
}

/**
 * UNLINKs (freed in the background, never blocking Redis for a big hash) every ride counter
 * hash of the store that no kept record counts in. Found by SCAN on every master.
 */
async function dropCounters(
  redis: RedisClient,
  keys: RedisKeys,
  countedByKept: ReadonlySet<string>,
  dryRun: boolean,
): Promise<number> {
  let dropped = 0;
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', keys.statsScanPattern(), 'COUNT', 1000);
      cursor = next;
      for (const key of found) {
        const parsed = keys.parse(key);
        if (!parsed || !('suffix' in parsed) || !parsed.suffix.startsWith('st:')) continue;
        if (countedByKept.has(key)) continue;
        // The key's own node: on a Cluster, a key is only on the master that SCAN found it on.
        if (!dryRun) await node.unlink(key);
        dropped++;
      }
    } while (cursor !== '0');
  }
  return dropped;
}

/** used_memory (INFO memory), summed over the masters of a Cluster. */
async function usedMemory(redis: RedisClient): Promise<number> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  let sum = 0;
  for (const node of nodes) sum += Number(/^used_memory:(\d+)/m.exec(await node.info('memory'))?.[1] ?? 0);
  return sum;
}

/**
 * A record id fit for a terminal and a ticket: a card token (sweep ids carry one) shows its
 * first 4 hex digits, a long run of digits its last 3; anything still shaped like a card or ID
 * number is not shown at all.
 */
export function maskRecordId(id: string): string {
  const masked = id
    .replace(/[0-9a-f]{32}/g, (t) => `${t.slice(0, 4)}…`)
    .replace(/[0-9]{9,}/g, (d) => `…${d.slice(-3)}`);
  return personalDataShape(masked) ? '…' : masked;
}
