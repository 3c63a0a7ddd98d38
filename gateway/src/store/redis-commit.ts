// commit() on Redis as commitEffects script calls (lua/commitEffects-0.lua): on one Redis
// (standalone or a Sentinel's primary) a commit is ONE call whatever partitions its effects are
// in; on a Cluster, one call per partition touched (a script's keys must share a hash slot).
// Arguments are positional, the script decodes no JSON (docs/decisions/0210). Encoding and
// decoding live here, pure.

import { dedupeDay, isTapKey } from '../../../core/dedupe-window.js';
import type { Effect } from '../../../core/ledger.js';
import { encodeFareState } from '../../../core/tariff/state.js';
import { encodeUses } from '../../../core/uses.js';
import { recordFrame } from '../../../protos/record-codec.js';
import type { CommitOutcome, TapClaim } from './port.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import type { RedisKeys } from './redis-keys.js';
import { decodeResult, encodeResult } from './redis-results.js';
import { statIncrements } from './redis-stats.js';

export interface CommitCall {
  /** Positions of this call's effects in the commit's effect list, in order. */
  positions: number[];
  keys: string[];
  /** Strings, and ARGV[3] the records' RecordBatch frames as one Buffer (the call's only one). */
  args: Array<string | Buffer>;
}

/** Lua indexes KEYS from 1; each distinct key is passed once however many effects use it. */
class KeyNumbers {
  readonly keys: string[] = [];
  private readonly byKey = new Map<string, number>();

  of(key: string): number {
    let n = this.byKey.get(key);
    if (n === undefined) {
      n = this.keys.push(key);
      this.byKey.set(key, n);
    }
    return n;
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
  private readonly byId: Partial<Record<IdKind, Map<string, number>>> = {};
  private readonly statsByDay = new Map<string, number>();
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

  named(kind: IdKind, id: string): number {
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
    let n = this.statsByDay.get(id);
    if (n === undefined) {
      n = this.numbers.of(this.keys.stats(this.p, operatorId, day));
      this.statsByDay.set(id, n);
    }
    return n;
  };

  seenOnNo(day: number): number {
    let n = this.seenOnDay.get(day);
    if (n === undefined) {
      n = this.numbers.of(this.keys.seenOn(this.p, day));
      this.seenOnDay.set(day, n);
    }
    return n;
  }
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
  opts: { keepRecords?: boolean; perPartition?: boolean } = {},
): CommitCall[] {
  const keepRecords = opts.keepRecords ?? true;
  // ARGV[3] is filled with the frames once the call is built.
  const head = (): CommitCall['args'] => [String(bucketTtl), keepRecords ? '1' : '0', ''];
  const calls: CommitCall[] = [];
  // Per call, its effects' frames: one Buffer argument at the end, not one per effect (ioredis
  // writes a command with any Buffer argument by concatenating buffers, per Buffer argument).
  const frames: Buffer[][] = [];
  const parts = new Map<number, { call: CommitCall; part: PartitionKeys; frames: Buffer[] }>();
  let shared: { call: CommitCall; numbers: KeyNumbers; frames: Buffer[] } | undefined;
  for (let position = 0; position < effects.length; position++) {
    const e = effects[position]!;
    const p = keys.partitionOf(e.cardToken);
    let slot = parts.get(p);
    if (!slot) {
      if (opts.perPartition) {
        const numbers = new KeyNumbers();
        const call = { positions: [], keys: numbers.keys, args: head() };
        calls.push(call);
        slot = { call, part: new PartitionKeys(keys, p, numbers), frames: [] };
        frames.push(slot.frames);
      } else {
        if (!shared) {
          const numbers = new KeyNumbers();
          shared = { call: { positions: [], keys: numbers.keys, args: head() }, numbers, frames: [] };
          calls.push(shared.call);
          frames.push(shared.frames);
        }
        slot = { call: shared.call, part: new PartitionKeys(keys, p, shared.numbers), frames: shared.frames };
      }
      parts.set(p, slot);
    }
    const { call, part } = slot;
    call.positions.push(position);
    // What the outbox carries: the record as one RecordBatch element (docs/decisions/0209).
    const frame = recordFrame(e.record);
    slot.frames.push(frame);
    pushEffect(call.args, e, part, keepRecords, frame.length);
  }
  calls.forEach((call, i) => {
    call.args[2] = Buffer.concat(frames[i]!);
  });
  return calls;
}

/**
 * One effect's fields, in the order commitEffects-0.lua's header gives, as ONE argument: the
 * fields joined by a tab (docs/decisions/0210). ioredis spends ~0.15-0.2 µs of the gateway's CPU
 * per argument of a command, ~20 a tap when each field was its own; Lua splits the string with
 * one gmatch, and each field it splits costs Redis a string, so only the fields the script reads
 * are sent: twelve, and with records kept the record's four and its index keys and counters
 * (0217). No field holds a tab: ids match the id patterns (topics, request ids), tokens are hex,
 * numbers are decimal, and JSON escapes a tab inside a string. A dedupe key with one is refused here, before anything is
 * sent; the script refuses an effect whose field count is off.
 */
function pushEffect(
  args: CommitCall['args'],
  e: Effect,
  part: PartitionKeys,
  keepRecords: boolean,
  frameBytes: number,
): void {
  const r = e.record;
  if (e.dedupeKey.includes('\t') || r.id.includes('\t'))
    throw new RangeError(`a record id may not hold a tab: ${JSON.stringify(e.dedupeKey)}`);
  // Key numbers are given in this order: card, open-entry index, dedupe hash, records, outbox.
  let cardFields: string;
  if (e.expectVersion === null) cardFields = '0\t\t\t\t\t\t';
  else {
    // The card's stored head (0214): version, balance, fare state. Uses go with the card
    // (docs/decisions/0203); '' leaves them as they are. The sweep's open-entry index follows
    // the fare state written with the card.
    const card = part.numbers.of(part.keys.card(e.cardToken));
    const head = `${e.expectVersion + 1}\n${e.newBalanceFen}\n${encodeFareState(e.newFare)}`;
    const uses = e.newUses ? encodeUses(e.newUses) : '';
    const openAt = e.newFare.open ? String(e.newFare.open.t) : '';
    cardFields = `${card}\t${e.expectVersion}\t${head}\t${uses}\t${part.of('open')}\t${openAt}\t${e.cardToken}`;
  }
  // A tap's key lives in the bucket of its day (docs/decisions/0196); any other is kept.
  const seen = isTapKey(e.dedupeKey) ? part.seenOnNo(dedupeDay(r.at)) : -part.of('seen');
  const records = keepRecords ? part.of('records') : 0;
  const packed = `${e.dedupeKey}\t${cardFields}\t${seen}\t${encodeResult(e.result)}\t${part.of('outbox')}\t${frameBytes}`;
  if (!keepRecords) {
    args.push(packed);
    return;
  }
  // The records hash keeps the JSON body the queries read (0204), then the index keys and the
  // ride counters.
  const f: string[] = [packed, r.id, String(r.at), JSON.stringify(r), String(records), ''];
  const at = f.length - 1;
  f.push(String(part.of('byTime')), String(part.numbers.of(part.keys.byCard(e.cardToken))));
  if (r.deviceId) f.push(String(part.named('d', r.deviceId)));
  if (r.routeId) f.push(String(part.named('r', r.routeId)));
  if (r.stationId) f.push(String(part.named('s', r.stationId)));
  if (r.stopId) f.push(String(part.named('sp', r.stopId)));
  if (r.cardMasked) f.push(String(part.named('m', r.cardMasked)));
  if (r.operatorId) f.push(String(part.named('o', r.operatorId)));
  f[at] = String(f.length - at - 1);
  const stats = statIncrements(r, part.statsNo);
  if (!stats) f.push('0');
  else {
    f.push(String(stats.length));
    for (const x of stats) f.push(String(x));
  }
  args.push(f.join('\t'));
}

/** Puts one call's flat reply (code, payload, code, payload, ...) back in the commit's order. */
export function decodeCall(
  call: CommitCall,
  effects: readonly Effect[],
  reply: unknown,
  into: CommitOutcome[],
): void {
  const flat = reply as unknown[];
  if (!Array.isArray(flat) || flat.length !== call.positions.length * 2)
    throw new Error(`commitEffects answered ${JSON.stringify(reply)} for ${call.positions.length} effects`);
  call.positions.forEach((position, i) => {
    const code = resultCode('commitEffects', flat[2 * i]);
    const effect = effects[position]!;
    if (code === ScriptResult.OK) into[position] = { status: 'applied', result: effect.result };
    else if (code === ScriptResult.DUPLICATE)
      into[position] = { status: 'duplicate', result: decodeResult(String(flat[2 * i + 1])) };
    else if (code === ScriptResult.CONFLICT) into[position] = { status: 'conflict' };
    else throw new Error(`commitEffects answered code ${code}`);
  });
}

/**
 * claimTaps-1.lua's keys and arguments: the marks hash, then one claims bucket per day of the
 * claims (docs/decisions/0196); bucketTtl, the epoch's mark field, then seq, digest, key# per claim.
 */
export function claimCall(
  keys: RedisKeys,
  deviceId: string,
  epoch: string,
  claims: readonly TapClaim[],
  bucketTtl: number,
): { keys: string[]; args: string[] } {
  const callKeys = [keys.tapMarks(deviceId)];
  const keyNo = new Map<number, number>();
  const args = [String(bucketTtl), epoch || '-'];
  for (const c of claims) {
    const day = dedupeDay(c.at);
    let n = keyNo.get(day);
    if (n === undefined) {
      n = callKeys.push(keys.tapClaimsOn(deviceId, epoch, day));
      keyNo.set(day, n);
    }
    args.push(String(c.seq), c.digest, String(n));
  }
  return { keys: callKeys, args };
}

/** claimTaps-1.lua's reply as Store.claimTaps answers it. */
export function decodeClaims(claims: readonly TapClaim[], reply: unknown): boolean[] {
  if (!Array.isArray(reply) || reply.length !== claims.length)
    throw new Error(`claimTaps answered ${JSON.stringify(reply)} for ${claims.length} claims`);
  return reply.map((r) => r === 1);
}
