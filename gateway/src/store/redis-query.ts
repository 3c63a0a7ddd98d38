// queryRecords on Redis. Records live in their card's partition, so a query reads the most
// selective index (card > masked > device > station > stop > route > operator > all) of every partition that can hold a
// match (one for a card, all for the others), merges them newest first and filters on the
// other criteria. Each partition is read lazily in growing batches with
// ZRANGE index max min BYSCORE REV LIMIT: a page touches a few batches, never the whole index.
import type { LedgerRecord } from '../../../core/ledger.js';
import { isTokenHex } from '../../../core/pii.js';
import { withSubsidy } from '../../../core/subsidy.js';
import { decodeCursor, encodeCursor, isAfter, newestFirst, type RecordKey } from './cursor.js';
import type { RecordPage, RecordQuery } from './port.js';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';

const MAX_BATCH = 1000;

export async function queryRecords(redis: RedisClient, keys: RedisKeys, q: RecordQuery): Promise<RecordPage> {
  if (q.cardToken !== undefined && !isTokenHex(q.cardToken)) return { items: [] };
  const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const bounds = scoreBounds(q, cursor);
  const indexes = chooseIndexes(keys, q);
  const batch = Math.max(8, Math.ceil((2 * q.limit) / indexes.length));
  const sources = indexes.map(
    ({ index, records }) =>
      new IndexReader(redis, { index, records, ...bounds, after: cursor, batch, keep: (r) => matches(r, q) }),
  );
  // One more than asked tells whether another page exists.
  const found = await mergeNewestFirst(sources, q.limit + 1);
  const items = found.slice(0, q.limit);
  const last = items.at(-1);
  return found.length > q.limit && last ? { items, nextCursor: encodeCursor(last) } : { items };
}

function chooseIndexes(keys: RedisKeys, q: RecordQuery): { index: string; records: string }[] {
  if (q.cardToken) {
    const p = keys.partitionOf(q.cardToken);
    return [{ index: keys.byCard(q.cardToken), records: keys.records(p) }];
  }
  const every = (index: (p: number) => string) =>
    Array.from({ length: keys.partitions }, (_, p) => ({ index: index(p), records: keys.records(p) }));
  const { cardMasked, deviceId, stationId, stopId, routeId, operatorId } = q;
  if (cardMasked) return every((p) => keys.byMasked(p, cardMasked));
  if (deviceId) return every((p) => keys.byDevice(p, deviceId));
  if (stationId) return every((p) => keys.byStation(p, stationId));
  if (stopId) return every((p) => keys.byStop(p, stopId));
  if (routeId) return every((p) => keys.byRoute(p, routeId));
  if (operatorId) return every((p) => keys.byOperator(p, operatorId));
  return every((p) => keys.byTime(p));
}

/** Every criterion, whichever index served the query (empty values are never indexed). */
function matches(r: LedgerRecord, q: RecordQuery): boolean {
  return (
    (q.cardToken === undefined || r.cardToken === q.cardToken) &&
    (q.cardMasked === undefined || r.cardMasked === q.cardMasked) &&
    (q.deviceId === undefined || r.deviceId === q.deviceId) &&
    (q.stationId === undefined || r.stationId === q.stationId) &&
    (q.stopId === undefined || r.stopId === q.stopId) &&
    (q.routeId === undefined || r.routeId === q.routeId) &&
    (q.operatorId === undefined || r.operatorId === q.operatorId) &&
    (q.from === undefined || r.at >= q.from) &&
    (q.to === undefined || r.at < q.to) &&
    (q.kinds === undefined || q.kinds.includes(r.kind))
  );
}

interface Bounds {
  /** ZRANGE max: '+inf', an inclusive score, or '(' and an exclusive one. */
  max: string;
  min: string;
}

function scoreBounds(q: RecordQuery, cursor: RecordKey | undefined): Bounds {
  const min = q.from === undefined ? '-inf' : String(q.from);
  // The cursor's own score stays in range: records at the same ms but with smaller ids follow it.
  if (cursor && (q.to === undefined || cursor.at < q.to)) return { max: String(cursor.at), min };
  return { max: q.to === undefined ? '+inf' : `(${q.to}`, min };
}

async function mergeNewestFirst(sources: IndexReader[], want: number): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  while (out.length < want) {
    await Promise.all(sources.map((s) => s.fill()));
    let best: IndexReader | undefined;
    for (const s of sources) {
      const head = s.head();
      if (head && (!best || newestFirst(head, best.head()!) < 0)) best = s;
    }
    if (!best) break;
    out.push(best.take());
  }
  return out;
}

interface ReaderOptions extends Bounds {
  index: string;
  records: string;
  /** Only keys strictly after this one (the cursor) count. */
  after: RecordKey | undefined;
  batch: number;
  keep: (r: LedgerRecord) => boolean;
}

/** One partition's index, read in order, newest first, in batches that double as it goes. */
class IndexReader {
  private readonly buffer: LedgerRecord[] = [];
  private done = false;
  private max: string;
  /** Members at score `max` already read: the next batch starts after them. */
  private skip = 0;
  private after: RecordKey | undefined;
  private batch: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly o: ReaderOptions,
  ) {
    this.max = o.max;
    this.after = o.after;
    this.batch = o.batch;
  }

  head(): LedgerRecord | undefined {
    return this.buffer[0];
  }

  take(): LedgerRecord {
    return this.buffer.shift()!;
  }

  async fill(): Promise<void> {
    while (this.buffer.length === 0 && !this.done) await this.readBatch();
  }

  private async readBatch(): Promise<void> {
    const { index, records, min } = this.o;
    const count = this.batch;
    this.batch = Math.min(this.batch * 2, MAX_BATCH);
    const flat = await this.redis.zrange(
      index,
      this.max,
      min,
      'BYSCORE',
      'REV',
      'LIMIT',
      this.skip,
      count,
      'WITHSCORES',
    );
    const keys: RecordKey[] = [];
    for (let i = 0; i < flat.length; i += 2) keys.push({ id: flat[i]!, at: Number(flat[i + 1]) });
    if (keys.length < count) this.done = true;
    const last = keys.at(-1);
    if (!last) return;
    // Carry on from the last member read: same score, past the members already seen there.
    const tail = keys.filter((k) => k.at === last.at).length;
    this.skip = this.max === String(last.at) ? this.skip + tail : tail;
    this.max = String(last.at);
    // Records committed meanwhile can shift members into a batch twice; the key order drops them.
    const fresh = keys.filter((k) => !this.after || isAfter(k, this.after));
    if (!this.after || isAfter(last, this.after)) this.after = last;
    if (fresh.length === 0) return;
    const bodies = await this.redis.hmget(records, ...fresh.map((k) => k.id));
    for (const body of bodies) {
      if (body === null) continue;
      const record = withSubsidy(JSON.parse(body) as LedgerRecord);
      if (this.o.keep(record)) this.buffer.push(record);
    }
  }
}
