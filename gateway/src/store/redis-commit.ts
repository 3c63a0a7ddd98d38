// commit() on Redis as commitEffects script calls (lua/commitEffects-0.lua): on one Redis
// (standalone or a Sentinel's primary) a commit is ONE call whatever partitions its effects are
// in; on a Cluster, one call per partition touched (a script's keys must share a hash slot).
// Arguments are positional, the script decodes no JSON (docs/decisions/0210); the effects are
// MessagePack (msgpack.ts, docs/decisions/0217), one array per field (0218). Encoding and
// decoding live here, pure.

import { dedupeDay, isTapKey } from '../../../core/dedupe-window.js';
import type { Effect } from '../../../core/ledger.js';
import { encodeFareState } from '../../../core/tariff/state.js';
import { encodeUses } from '../../../core/uses.js';
import { RecordFrames } from '../../../protos/record-codec.js';
import { PackWriter } from './msgpack.js';
import type { CommitOutcome, TapClaim } from './port.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import { CLAIM_BLOCK_SEQS, packTapField, type RedisKeys } from './redis-keys.js';
import { decodeResult, packResult } from './redis-results.js';
import { subBucketOf } from './redis-seen-split.js';
import { statIncrements } from './redis-stats.js';
import { Joined, type Reused, SplitKeys } from './resp.js';

export interface CommitCall {
  /** Positions of this call's effects in the commit's effect list, in order. */
  positions: number[];
  keys: string[];
  /**
   * Strings, then three Buffers: ARGV[3] the records' RecordBatch frames grouped by outbox (one
   * segment per partition in first-use order, each in effect order), ARGV[4] the effects (one
   * MessagePack array of columns, one per field, 0218), ARGV[5] the old dedupe fields still to
   * be read (0222; empty when none).
   */
  args: Array<string | Buffer>;
}

/**
 * A call of commitCallsViewed: ARGV[3] and ARGV[4] Joined views of the commit's scratch when it
 * is one Redis's call (0236), valid until the next commit is built.
 */
export interface ViewedCall {
  positions: number[];
  /** One Redis's call: its keys split (a card's as its partition's head and its token, 0244). */
  keys: string[] | SplitKeys;
  args: Array<string | Buffer | Joined>;
}

/** A call's keys until it is built. */
const NO_KEYS: string[] = [];

/**
 * Lua indexes KEYS from 1; each distinct key is passed once however many effects use it. A key
 * is kept as a head and a tail (SplitKeys, 0244): a card's is its partition's head and its token,
 * never joined when one Redis's call is written; any other key is its head, with no tail.
 */
class KeyNumbers {
  readonly heads: string[] = [];
  readonly tails: string[] = [];
  private readonly byKey = new Map<string, number>();

  of(key: string): number {
    let n = this.byKey.get(key);
    if (n === undefined) {
      this.heads.push(key);
      n = this.tails.push('');
      this.byKey.set(key, n);
    }
    return n;
  }
  /**
   * A key only one caller numbers, and that caller numbers it once (a card's key: by its token,
   * PartitionKeys.cardNo): no lookup, so no key string is made or hashed (0219, 0244).
   */
  once(head: string, tail: string): number {
    this.heads.push(head);
    return this.tails.push(tail);
  }

  /** The keys as numbered, split. */
  split(): SplitKeys {
    return new SplitKeys(this.heads, this.tails);
  }
}

/** Keys named by an id: the indexes by device, route, station, stop, masked number, operator. */
type IdKind = 'd' | 'r' | 's' | 'sp' | 'm' | 'o';

/**
 * One partition's keys in the call being built. Keys a batch repeats (its device, route, stop,
 * operator, day, the partition's hashes and stream) are looked up by what names them, so their
 * strings are built once per call, not per effect (docs/decisions/0205).
 */
class PartitionKeys {
  // Made when first needed: the index keys and counters only with records kept (0234).
  private byId: Partial<Record<IdKind, Map<string, number>>> | undefined;
  private statsByDay: Map<string, number> | undefined;
  private readonly cards = new Map<string, number>();
  private readonly seenOnDay = new Map<number, number>();
  private fixed: Record<'seen' | 'records' | 'byTime' | 'outbox' | 'open', number> = {
    seen: 0,
    records: 0,
    byTime: 0,
    outbox: 0,
    open: 0,
  };

  constructor(
    readonly keys: RedisKeys,
    readonly p: number,
    readonly numbers: KeyNumbers,
  ) {}

  /** The partition's dedupe hash, records hash, time index, outbox stream or open-entry index. */
  of(which: keyof PartitionKeys['fixed']): number {
    let n = this.fixed[which];
    if (n === 0) {
      const { keys, p } = this;
      const key =
        which === 'seen'
          ? keys.seen(p)
          : which === 'records'
            ? keys.records(p)
            : which === 'byTime'
              ? keys.byTime(p)
              : which === 'outbox'
                ? keys.outbox(p)
                : keys.openEntries(p);
      n = this.numbers.of(key);
      this.fixed[which] = n;
    }
    return n;
  }

  /**
   * The card's key number, looked up by its token (the Map has its hash already, from loading
   * and planning); the key string is built only for a card not seen in the call yet (0219).
   */
  cardNo(token: string): number {
    let n = this.cards.get(token);
    if (n === undefined) {
      n = this.numbers.once(this.keys.cardHead(this.p), token);
      this.cards.set(token, n);
    }
    return n;
  }

  named(kind: IdKind, id: string): number {
    this.byId ??= {};
    let ids = this.byId[kind];
    if (!ids) {
      ids = new Map();
      this.byId[kind] = ids;
    }
    let n = ids.get(id);
    if (n === undefined) {
      n = this.numbers.of(this.keyOf(kind, id));
      ids.set(id, n);
    }
    return n;
  }

  private keyOf(kind: IdKind, id: string): string {
    const { keys, p } = this;
    switch (kind) {
      case 'd':
        return keys.byDevice(p, id);
      case 'r':
        return keys.byRoute(p, id);
      case 's':
        return keys.byStation(p, id);
      case 'sp':
        return keys.byStop(p, id);
      case 'm':
        return keys.byMasked(p, id);
      case 'o':
        return keys.byOperator(p, id);
    }
  }

  /** The ride counters' hash of an operator's UTC day (redis-stats.ts). */
  readonly statsNo = (operatorId: string, day: string): number => {
    // Looked up by operator and day (the day is the last 8 characters, so no two pairs meet).
    const id = `${operatorId}\n${day}`;
    this.statsByDay ??= new Map();
    let n = this.statsByDay.get(id);
    if (n === undefined) {
      n = this.numbers.of(this.keys.stats(this.p, operatorId, day));
      this.statsByDay.set(id, n);
    }
    return n;
  };

  /** The bucket of a tap's dedupe entry: its day's, or that day's sub-bucket (0222). */
  seenOnNo(day: number, sub: number): number {
    // Days are below 2^31 and sub-buckets below 2^21: one number names the pair.
    const id = day * 2_097_152 + sub + 1;
    let n = this.seenOnDay.get(id);
    if (n === undefined) {
      n = this.numbers.of(this.keys.seenOn(this.p, day, sub));
      this.seenOnDay.set(id, n);
    }
    return n;
  }
}

/**
 * A commit's buffers are sized up front, so they seldom grow: its frames (a ride's is ~185
 * bytes), per effect, and its effects' columns.
 */
const FRAME_BYTES = 320;
/** Per column (twelve in a city): ~10 bytes an effect on average, the card token's column 33. */
const PACK_COLUMN_BYTES = 16;

/**
 * The buffers a commit writes its frames and columns into, kept from one commit to the next
 * (docs/decisions/0235). Every argument commitCalls returns is a copy made before it returns (a
 * call's frames joined, its columns packed), and it runs to its end without yielding, so one set
 * serves every commit of the process. Made per commit (and doubled as they filled), they were
 * ~0.7 KB of Buffer a tap: external memory, which made V8 scavenge every ~130 ms at the max rate
 * whatever the young generation's size. A buffer that grew past MAX_KEPT_BYTES (a rare huge
 * commit) is let go after it, so what stays is bounded: a writer per partition a commit touched,
 * each at most that size.
 */
class CommitScratch implements Reused {
  private frames: RecordFrames[] = [];
  private columns: PackWriter[] = [];
  private readonly headers = new PackWriter(64);
  private framesUsed = 0;
  /** Commits begun: a Joined argument of an earlier one is stale (resp.ts, 0236). */
  generation = 0;

  /** A commit starts: what an earlier one's Joined arguments view is reused from now on. */
  begin(): void {
    this.generation++;
  }

  /** The writer of a commit's few MessagePack headers, empty. */
  heads(): PackWriter {
    return this.headers.reset();
  }

  /** An empty frames writer; bytes: its room if it must be made. */
  frame(bytes: number): RecordFrames {
    const i = this.framesUsed++;
    const kept = this.frames[i];
    if (kept) return kept.reset();
    const made = new RecordFrames(bytes);
    this.frames.push(made);
    return made;
  }

  /** n empty column writers; bytes: the room of each that must be made. */
  cols(n: number, bytes: number): PackWriter[] {
    while (this.columns.length < n) this.columns.push(new PackWriter(bytes));
    const out = this.columns.slice(0, n);
    for (const w of out) w.reset();
    return out;
  }

  /** Bytes kept between commits: every writer's, and the largest one's (tests; 0235). */
  kept(): { total: number; largest: number } {
    let total = 0;
    let largest = 0;
    for (const w of [...this.frames, ...this.columns]) {
      total += w.capacity;
      largest = Math.max(largest, w.capacity);
    }
    return { total, largest };
  }

  /** The commit is built: the writers are free again, and any grown past the bound dropped. */
  release(): void {
    // Dropped, not replaced: the next commit makes what it lacks at the size it needs.
    if (this.frames.some(tooBig)) this.frames = this.frames.filter((w) => !tooBig(w));
    if (this.columns.some(tooBig)) this.columns = this.columns.filter((w) => !tooBig(w));
    this.framesUsed = 0;
  }
}

/** Parts of the scratch's writers as one argument (resp.ts). */
function joined(parts: readonly Uint8Array[]): Joined {
  let length = 0;
  for (const p of parts) length += p.length;
  return new Joined(parts, length, scratch);
}

function tooBig(w: { capacity: number }): boolean {
  return w.capacity > MAX_KEPT_BYTES;
}

/** The most bytes a scratch writer keeps between commits (a 1,000-effect call's frames: ~0.2 MB). */
export const MAX_KEPT_BYTES = 1 << 20;
const scratch = new CommitScratch();

/** What the commits' scratch keeps between them (CommitScratch). */
export function commitScratchKept(): { total: number; largest: number } {
  return scratch.kept();
}

/**
 * The calls of one commit. perPartition: one call per partition (a Cluster), else one call for
 * all. bucketTtl: seconds a tap day bucket of dedupe keys lives after its last write (0196).
 * keepRecords false (the history lives in PostgreSQL, docs/decisions/0204): no record body,
 * index entry or ride counter is written; the outbox entry carries the record itself.
 */
export function commitCalls(
  effects: readonly Effect[],
  keys: RedisKeys,
  bucketTtl: number,
  opts: CommitOptions = {},
): CommitCall[] {
  return buildCalls(effects, keys, bucketTtl, opts, false) as CommitCall[];
}

/**
 * commitCalls for a caller that writes every call at once (the store, through Scripts.run): one
 * Redis's call takes its frames and columns as views of the scratch, copied once into the
 * command instead of joined into Buffers first (docs/decisions/0236). A Cluster's calls are as
 * commitCalls makes them.
 */
export function commitCallsViewed(
  effects: readonly Effect[],
  keys: RedisKeys,
  bucketTtl: number,
  opts: CommitOptions = {},
): ViewedCall[] {
  return buildCalls(effects, keys, bucketTtl, opts, !opts.perPartition);
}

export interface CommitOptions {
  keepRecords?: boolean;
  perPartition?: boolean;
  /**
   * The last UTC day whose tap dedupe buckets may hold entries under the tap's dedupe key
   * itself, written before 0222 (RedisKeys.tapFieldsSince; -1, the default: none): a tap of
   * such a day sends that key too, and the script reads it where the new field is not found.
   */
  oldFieldsUntil?: number;
  /** Sub-buckets of a day's tap dedupe bucket (redis-seen-split.ts, 0222); default 1: none. */
  subBuckets?: (day: number) => number;
}

function buildCalls(
  effects: readonly Effect[],
  keys: RedisKeys,
  bucketTtl: number,
  opts: CommitOptions,
  views: boolean,
): ViewedCall[] {
  scratch.begin();
  const keepRecords = opts.keepRecords ?? true;
  const oldFieldsUntil = opts.oldFieldsUntil ?? -1;
  const subBuckets = opts.subBuckets;
  // A batch is one device's run of seqs: its taps share a few (key, block) pairs, hashed once.
  const subs = new Map<string, number>();
  // The pair the tap before met, and its sub-bucket: most taps meet the same one, and are
  // answered without a string built (a tap's id string was 3 % of the gateway's CPU, 0233).
  let lastHead = '';
  let lastDay = -1;
  let lastBlock = -1;
  let lastSub = -1;
  const subOf = (dedupeKey: string, day: number): number => {
    const count = subBuckets ? subBuckets(day) : 1;
    if (count <= 1) return -1;
    const colon = dedupeKey.lastIndexOf(':');
    const block = Math.floor(seqAfter(dedupeKey, colon) / CLAIM_BLOCK_SEQS);
    if (day === lastDay && block === lastBlock && colon === lastHead.length && dedupeKey.startsWith(lastHead))
      return lastSub;
    const head = dedupeKey.slice(0, colon);
    const id = `${day}\n${head}\n${block}`;
    let sub = subs.get(id);
    if (sub === undefined) {
      sub = subBucketOf(dedupeKey, count);
      subs.set(id, sub);
    }
    lastHead = head;
    lastDay = day;
    lastBlock = block;
    lastSub = sub;
    return sub;
  };
  // ARGV[3], ARGV[4] and ARGV[5] are filled once the call is built.
  const head = (): ViewedCall['args'] => [String(bucketTtl), keepRecords ? '1' : '0', '', '', ''];
  const calls: ViewedCall[] = [];
  // Each call's keys, numbered as its effects are packed.
  const callKeys: KeyNumbers[] = [];
  // Per call, its effects' frames and its effects: one Buffer argument each, not one per effect
  // (ioredis writes a command with any Buffer argument by concatenating buffers, per argument).
  // The frames are written straight into one buffer per partition (its outbox segment, 0219),
  // partitions in first-use order, and joined at the end: the script then writes a partition's
  // segment as its outbox entry as it is when all its effects apply, instead of cutting and
  // joining frame by frame (docs/decisions/0218).
  const frames: RecordFrames[][] = [];
  // The writers are the scratch's (CommitScratch): free again however this ends.
  try {
    const pack = new EffectColumns(keepRecords, effects.length);
    // Per call: the old dedupe keys of its taps of days up to oldFieldsUntil, as (effect number in
    // the call, key) pairs; none in a store created since 0222, nor a few days after the upgrade.
    const olds = new Map<ViewedCall, Array<number | string>>();
    const parts = new Map<number, { call: ViewedCall; part: PartitionKeys; frames: RecordFrames }>();
    let shared: { call: ViewedCall; numbers: KeyNumbers; segments: RecordFrames[] } | undefined;
    // A partition's frames' buffer, sized for its share of the effects if they spread evenly: it
    // grows seldom, and where partitions are many (a Cluster's 1,024, nearly a call a tap) each does
    // not take 4 KB for a frame or two (0234).
    const segmentBytes =
      FRAME_BYTES * Math.ceil(effects.length / Math.max(1, Math.min(keys.partitions, effects.length)));
    for (let position = 0; position < effects.length; position++) {
      const e = effects[position]!;
      const p = keys.partitionOf(e.cardToken);
      let slot = parts.get(p);
      if (!slot) {
        if (opts.perPartition) {
          const numbers = new KeyNumbers();
          const call: ViewedCall = { positions: [], keys: NO_KEYS, args: head() };
          calls.push(call);
          callKeys.push(numbers);
          slot = { call, part: new PartitionKeys(keys, p, numbers), frames: scratch.frame(segmentBytes) };
          frames.push([slot.frames]);
        } else {
          if (!shared) {
            const numbers = new KeyNumbers();
            const call: ViewedCall = { positions: [], keys: NO_KEYS, args: head() };
            shared = { call, numbers, segments: [] };
            calls.push(call);
            callKeys.push(numbers);
            frames.push(shared.segments);
          }
          slot = {
            call: shared.call,
            part: new PartitionKeys(keys, p, shared.numbers),
            frames: scratch.frame(segmentBytes),
          };
          shared.segments.push(slot.frames);
        }
        parts.set(p, slot);
      }
      const n = slot.call.positions.push(position);
      // What the outbox carries: the record as one RecordBatch element (docs/decisions/0209).
      const frameBytes = slot.frames.append(e.record);
      packEffect(pack, e, slot.part, keepRecords, frameBytes, subOf);
      if (opts.perPartition) pack.close();
      if (oldFieldsUntil >= 0 && isTapKey(e.dedupeKey) && dedupeDay(e.record.at) <= oldFieldsUntil) {
        const old = olds.get(slot.call);
        if (old) old.push(n, e.dedupeKey);
        else olds.set(slot.call, [n, e.dedupeKey]);
      }
    }
    calls.forEach((call, i) => {
      // Its keys: split for the call written at once, as strings for any other (0244).
      const numbers = callKeys[i]!;
      call.keys = views ? numbers.split() : numbers.split().joined();
      // Its segments, however many: copied, or viewed until the next commit (the writers are the
      // scratch's, used again then).
      const segments = frames[i]!.map((f) => f.finish());
      call.args[2] = views ? joined(segments) : Buffer.concat(segments);
      // The effects are packed in the commit's order, so a call's positions are its effects' numbers.
      call.args[3] = opts.perPartition
        ? pack.finishOf(call.positions)
        : views
          ? pack.joinedAll(call.positions.length)
          : pack.finishAll(call.positions.length);
      const old = olds.get(call);
      if (old) {
        const w = new PackWriter(old.length * 32).array(old.length);
        for (let x = 0; x < old.length; x += 2) w.int(old[x] as number).str(old[x + 1] as string);
        call.args[4] = w.finish();
      }
    });
    return calls;
  } finally {
    scratch.release();
  }
}

/**
 * The seq after a tap key's last colon, as Number() reads it, without cutting a string for it:
 * digits only, up to 15 of them (an exact number); anything else, as Number() of the cut.
 */
function seqAfter(key: string, colon: number): number {
  const end = key.length;
  if (end - colon - 1 < 1 || end - colon - 1 > 15) return Number(key.slice(colon + 1));
  let n = 0;
  for (let i = colon + 1; i < end; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number(key.slice(colon + 1));
    n = n * 10 + d;
  }
  return n;
}

/**
 * A commit's effects by column (docs/decisions/0218): one writer per field, joined at the end as
 * one MessagePack array of columns per call, each an array of that field of every effect of the
 * call in order. Redis unpacks it into one table per column with one C call; an array per effect
 * (0217) made a table per effect, and each table grows its array part field by field (~0.4 µs an
 * effect in Redis). The writers are the commit's, not a call's (0234): on a Cluster nearly every
 * partition of a turn is a call of its own, and twelve writers a call were most of its cost; a
 * call's columns are then cut from them by the effects' ends.
 */
class EffectColumns {
  readonly cols: PackWriter[];
  /** Per effect packed, per column: where its field ends (effect e, column k at e * columns + k). */
  private readonly ends: number[] = [];

  constructor(keepRecords: boolean, effects: number) {
    // The scratch's writers (CommitScratch): finishAll and finishOf copy what a call takes.
    this.cols = scratch.cols(keepRecords ? 13 : 12, Math.max(64, effects * PACK_COLUMN_BYTES));
  }

  /** The effect just packed ends here (needed by finishOf only). */
  close(): void {
    for (const c of this.cols) this.ends.push(c.length);
  }

  /** Every effect's columns: the call of one Redis. */
  finishAll(effects: number): Buffer {
    let bytes = 16;
    for (const c of this.cols) bytes += c.length + 5;
    const w = new PackWriter(bytes).array(this.cols.length);
    for (const c of this.cols) w.array(effects).append(c);
    return w.finish();
  }

  /** finishAll's bytes as views of the scratch's writers (0236): nothing joined or copied here. */
  joinedAll(effects: number): Joined {
    // The outer array's header, then one column's: every column has the same one.
    const h = scratch.heads().array(this.cols.length);
    const outer = h.length;
    const head = h.array(effects).finish();
    const colHead = head.subarray(outer);
    const parts: Uint8Array[] = [head.subarray(0, outer)];
    for (const c of this.cols) parts.push(colHead, c.finish());
    return joined(parts);
  }

  /** The columns of these effects (their numbers in packing order, rising): a Cluster's call. */
  finishOf(effects: readonly number[]): Buffer {
    const { cols, ends } = this;
    const width = cols.length;
    const from = (e: number, k: number) => (e === 0 ? 0 : ends[(e - 1) * width + k]!);
    // Each column's header, then the effects' fields: exactly the bytes written.
    let bytes = 16 + width * 5;
    for (const e of effects) for (let k = 0; k < width; k++) bytes += ends[e * width + k]! - from(e, k);
    const w = new PackWriter(bytes).array(width);
    for (let k = 0; k < width; k++) {
      w.array(effects.length);
      const c = cols[k]!;
      for (const e of effects) w.appendRange(c, from(e, k), ends[e * width + k]!);
    }
    return w.finish();
  }
}

/**
 * One effect's fields, in the order commitEffects-0.lua's header gives, one per column
 * (docs/decisions/0217, 0218): only the fields the script reads, twelve, and with records kept a
 * thirteenth, the record's four and its index keys and counters as one array. Key numbers and
 * lengths go as integers; the version, balance, times and counts as decimal strings.
 */
function packEffect(
  { cols }: EffectColumns,
  e: Effect,
  part: PartitionKeys,
  keepRecords: boolean,
  frameBytes: number,
  subOf: (dedupeKey: string, day: number) => number,
): void {
  const r = e.record;
  // Key numbers are given in this order: card, open-entry index, dedupe hash, records, outbox.
  const cas = e.expectVersion !== null;
  const card = cas ? part.cardNo(e.cardToken) : 0;
  const open = cas ? part.of('open') : 0;
  // A tap's key lives in the bucket of its day (docs/decisions/0196); any other is kept.
  let seen: number;
  if (isTapKey(e.dedupeKey)) {
    const day = dedupeDay(r.at);
    seen = part.seenOnNo(day, subOf(e.dedupeKey, day));
  } else seen = -part.of('seen');
  const records = keepRecords ? part.of('records') : 0;
  const outbox = part.of('outbox');
  let indexes: number[] | undefined;
  let stats: Array<string | number> | undefined;
  if (keepRecords) {
    indexes = [part.of('byTime'), part.numbers.of(part.keys.byCard(e.cardToken))];
    if (r.deviceId) indexes.push(part.named('d', r.deviceId));
    if (r.routeId) indexes.push(part.named('r', r.routeId));
    if (r.stationId) indexes.push(part.named('s', r.stationId));
    if (r.stopId) indexes.push(part.named('sp', r.stopId));
    if (r.cardMasked) indexes.push(part.named('m', r.cardMasked));
    if (r.operatorId) indexes.push(part.named('o', r.operatorId));
    stats = statIncrements(r, part.statsNo) || undefined;
  }
  // A tap's entry is under its 12-byte field (tapField, 0222); any other effect's under its key.
  if (seen > 0) packTapField(cols[0]!, e.cardToken, e.dedupeKey);
  else cols[0]!.str(e.dedupeKey);
  cols[1]!.int(card);
  if (cas) {
    // The card's stored head (0214): version, balance, fare state. Uses go with the card
    // (docs/decisions/0203); '' leaves them as they are. The sweep's open-entry index follows
    // the fare state written with the card.
    // Numbers go in decimal and the head from its parts, with no string built first (0219).
    cols[2]!.decimal(e.expectVersion!);
    cols[3]!.lines(e.expectVersion! + 1, e.newBalanceFen, encodeFareState(e.newFare));
    cols[4]!.str(e.newUses ? encodeUses(e.newUses) : '');
    cols[5]!.int(open);
    if (e.newFare.open) cols[6]!.decimal(e.newFare.open.t);
    else cols[6]!.str('');
    cols[7]!.str(e.cardToken);
  } else for (let c = 2; c < 8; c++) c === 5 ? cols[c]!.int(0) : cols[c]!.str('');
  cols[8]!.int(seen);
  packResult(cols[9]!, e.result);
  cols[10]!.int(outbox);
  cols[11]!.int(frameBytes);
  if (!keepRecords) return;
  // The records hash keeps the JSON body the queries read (0204), then the index keys and the
  // ride counters.
  const w = cols[12]!.array(6 + indexes!.length + (stats?.length ?? 0));
  w.str(r.id).str(String(r.at)).str(JSON.stringify(r)).int(records).int(indexes!.length);
  for (const n of indexes!) w.int(n);
  // The counters: their hash's key number, then field and amount pairs (amounts as strings).
  if (!stats) w.int(0);
  else {
    w.int(stats.length).int(stats[0] as number);
    for (let x = 1; x < stats.length; x++) w.str(String(stats[x]));
  }
}

/**
 * Puts one call's reply back in the commit's order. The script names only the effects that did
 * not apply, three items each (effect number, code, original result), in effect order; every
 * other effect of the call applied (commitEffects-0.lua).
 */
export function decodeCall(
  call: Pick<CommitCall, 'positions'>,
  effects: readonly Effect[],
  reply: unknown,
  into: CommitOutcome[],
): void {
  const flat = reply as unknown[];
  const positions = call.positions;
  if (!Array.isArray(flat) || flat.length % 3 !== 0 || flat.length > positions.length * 3)
    throw new Error(`commitEffects answered ${JSON.stringify(reply)} for ${positions.length} effects`);
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i]!;
    into[position] = { status: 'applied', result: effects[position]!.result };
  }
  let last = 0;
  for (let x = 0; x < flat.length; x += 3) {
    const i = flat[x];
    if (typeof i !== 'number' || !Number.isInteger(i) || i <= last || i > positions.length)
      throw new Error(`commitEffects answered effect ${String(i)} after ${last} of ${positions.length}`);
    last = i;
    const code = resultCode('commitEffects', flat[x + 1]);
    const position = positions[i - 1]!;
    if (code === ScriptResult.DUPLICATE)
      into[position] = { status: 'duplicate', result: decodeResult(String(flat[x + 2])) };
    else if (code === ScriptResult.CONFLICT) into[position] = { status: 'conflict' };
    else throw new Error(`commitEffects answered code ${code}`);
  }
}

/** One device's claims in a claims call: a section of claimTaps-0.lua (docs/decisions/0228). */
export interface ClaimRequest {
  deviceId: string;
  epoch: string;
  claims: readonly TapClaim[];
  /** The gateway's clock (ms): the day of the marks' daily checkpoint (0220). */
  now: number;
}

/**
 * claimTaps-0.lua's keys and arguments for one or more devices' claims, one section each in the
 * order given (0228): per section its marks hash, then one claims bucket per block of seqs
 * (docs/decisions/0220), each key once in KEYS; bucketTtl, then the sections as one MessagePack
 * Buffer (0221): per section the marks key#, the epoch's mark field, the UTC day number of `now`,
 * the runs' key#s, the runs' counts (a run is claims of one bucket in the caller's order: a
 * batch's seqs run on, mostly in one block), every seq as its decimal string, every digest. Two
 * strings a claim were two arguments that ioredis turned into RESP one by one and Redis read as
 * strings of their own; a Buffer passes ioredis untouched.
 */
export function claimCall(
  keys: RedisKeys,
  requests: readonly ClaimRequest[],
  bucketTtl: number,
): { keys: string[]; args: Array<string | Buffer> } {
  const numbers = new KeyNumbers();
  let claimCount = 0;
  for (const r of requests) claimCount += r.claims.length;
  // ~20 bytes a claim (a seq of up to 16 digits, a 16-hex digest, two headers), ~60 a section.
  const w = new PackWriter(16 + requests.length * 64 + claimCount * 40);
  w.array(requests.length);
  for (const { deviceId, epoch, claims, now } of requests) {
    const marks = numbers.of(keys.tapMarks(deviceId));
    const runKeys: number[] = [];
    const runCounts: number[] = [];
    // The current run's block and key#; a block met again after another keeps its key#.
    let block = -1;
    let runKey = 0;
    for (const c of claims) {
      // The bucket of the seq, never of the tap's time (docs/decisions/0220).
      const b = keys.claimBlock(c.seq);
      if (b !== block) {
        block = b;
        const n = numbers.of(keys.tapClaimsIn(deviceId, epoch, b));
        if (n !== runKey) {
          runKey = n;
          runKeys.push(n);
          runCounts.push(0);
        }
      }
      runCounts[runCounts.length - 1]!++;
    }
    w.array(7);
    w.int(marks);
    w.str(epoch || '-');
    w.int(dedupeDay(now));
    w.array(runKeys.length);
    for (const n of runKeys) w.int(n);
    w.array(runCounts.length);
    for (const n of runCounts) w.int(n);
    // The seq as String(seq), the field the bucket stores it under (as before 0221).
    w.array(claims.length);
    for (const c of claims) w.decimal(c.seq);
    w.array(claims.length);
    for (const c of claims) w.str(c.digest);
  }
  return { keys: numbers.split().joined(), args: [String(bucketTtl), w.finish()] };
}

/** claimTaps-0.lua's reply, per request as Store.claimTaps answers it. */
export function decodeClaims(requests: readonly ClaimRequest[], reply: unknown): boolean[][] {
  let total = 0;
  for (const r of requests) total += r.claims.length;
  // The claims other content holds, numbered from 1 over every section; the rest are held.
  if (!Array.isArray(reply) || reply.length > total)
    throw new Error(`claimTaps answered ${JSON.stringify(reply)} for ${total} claims`);
  const out = requests.map((r) => new Array<boolean>(r.claims.length).fill(true));
  let last = 0;
  let section = 0;
  let from = 0;
  for (const n of reply) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= last || n > total)
      throw new Error(`claimTaps answered claim ${String(n)} after ${last} of ${total}`);
    last = n;
    while (n > from + requests[section]!.claims.length) from += requests[section++]!.claims.length;
    out[section]![n - from - 1] = false;
  }
  return out;
}
