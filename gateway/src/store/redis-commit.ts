// commit() on Redis: the effects are grouped by partition and each group goes to Redis as ONE
// commitEffects script call (lua/commitEffects-4.lua), so a batch of taps costs one call per
// partition it touches rather than one per tap. Encoding and decoding live here, pure.

import { dedupeDay, isTapKey } from '../../../core/dedupe-window.js';
import type { Effect, EffectResult } from '../../../core/ledger.js';
import { encodeFareState } from '../../../core/tariff/state.js';
import { encodeUses } from '../../../core/uses.js';
import type { CommitOutcome, TapClaim } from './port.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import type { RedisKeys } from './redis-keys.js';
import { statIncrements } from './redis-stats.js';

export interface PartitionCall {
  partition: number;
  /** Positions of this call's effects in the commit's effect list, in order. */
  positions: number[];
  keys: string[];
  args: string[];
}

/** Keys named by an id: the indexes by device, route, station, stop, masked number, operator. */
type IdKind = 'd' | 'r' | 's' | 'sp' | 'm' | 'o';

/**
 * One partition's call as it is built. Lua indexes KEYS from 1; each distinct key is passed once
 * however many effects use it. Keys a batch repeats (its device, route, stop, operator, day) are
 * looked up by the id that names them, so their strings are built once per call, not per effect
 * (docs/decisions/0205); the numbers come out in first-use order, as before.
 */
class CallBuilder {
  readonly call: PartitionCall;
  readonly meta: unknown[] = [];
  private readonly keyNo = new Map<string, number>();
  /** Per kind of key, made when first needed: a call carries few effects (~6 of a 100-tap batch). */
  private readonly byId: Partial<Record<IdKind, Map<string, number>>> = {};
  private readonly seenOnDay = new Map<number, number>();
  private readonly statsByDay = new Map<string, number>();
  private openNo = 0;

  constructor(
    readonly keys: RedisKeys,
    readonly p: number,
  ) {
    const fixed = [keys.seen(p), keys.records(p), keys.byTime(p), keys.outbox(p)];
    this.call = { partition: p, positions: [], keys: fixed, args: [''] };
    for (const k of fixed) this.keyNo.set(k, this.keyNo.size + 1);
  }

  no(key: string): number {
    let n = this.keyNo.get(key);
    if (n === undefined) {
      n = this.call.keys.push(key);
      this.keyNo.set(key, n);
    }
    return n;
  }

  /** An index or counter key of this partition by the id that names it (the key built once). */
  named(kind: IdKind, id: string): number {
    let ids = this.byId[kind];
    if (!ids) {
      ids = new Map();
      this.byId[kind] = ids;
    }
    let n = ids.get(id);
    if (n === undefined) {
      n = this.no(this.keyOf(kind, id));
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
      n = this.no(this.keys.stats(this.p, operatorId, day));
      this.statsByDay.set(id, n);
    }
    return n;
  };

  openEntriesNo(): number {
    if (this.openNo === 0) this.openNo = this.no(this.keys.openEntries(this.p));
    return this.openNo;
  }

  seenOnNo(day: number): number {
    let n = this.seenOnDay.get(day);
    if (n === undefined) {
      n = this.no(this.keys.seenOn(this.p, day));
      this.seenOnDay.set(day, n);
    }
    return n;
  }
}

/**
 * bucketTtl: seconds a tap day bucket of dedupe keys lives after its last write (0196).
 * keepRecords false (the history lives in PostgreSQL, docs/decisions/0204): no record body,
 * index entry or ride counter is written; the outbox entry carries the record itself.
 */
export function commitCalls(
  effects: readonly Effect[],
  keys: RedisKeys,
  bucketTtl: number,
  keepRecords = true,
): PartitionCall[] {
  const calls = new Map<number, CallBuilder>();
  for (let position = 0; position < effects.length; position++) {
    const e = effects[position]!;
    const p = keys.partitionOf(e.cardToken);
    let b = calls.get(p);
    if (!b) {
      b = new CallBuilder(keys, p);
      calls.set(p, b);
    }
    const r = e.record;
    const cas = e.expectVersion !== null;
    // The keys are numbered in this order (card, indexes, counters, open entries, day bucket):
    // the order the script's arguments always had.
    const cardNo = cas ? b.no(keys.card(e.cardToken)) : 0;
    const indexes = keepRecords ? recordIndexes(b, e) : [];
    const stats = keepRecords ? statIncrements(r, b.statsNo) : false;
    b.meta.push([
      e.dedupeKey,
      r.id,
      cardNo,
      cas ? String(e.expectVersion) : false,
      cas ? String(e.expectVersion! + 1) : '',
      String(e.newBalanceFen),
      String(r.at),
      indexes,
      cas ? encodeFareState(e.newFare) : '',
      stats,
      // The sweep's open-entry index follows the fare state written with the card.
      cas ? b.openEntriesNo() : 0,
      cas && e.newFare.open ? String(e.newFare.open.t) : false,
      e.cardToken,
      // A tap's key lives in the bucket of its day (docs/decisions/0196); any other is kept.
      isTapKey(e.dedupeKey) ? b.seenOnNo(dedupeDay(r.at)) : 1,
      // Entitlement uses go with the card (docs/decisions/0203); false leaves them as they are.
      cas && e.newUses ? encodeUses(e.newUses) : false,
    ]);
    b.call.positions.push(position);
    b.call.args.push(JSON.stringify(r), JSON.stringify(e.result));
  }
  return [...calls.values()].map(({ call, meta }) => {
    call.args[0] = JSON.stringify([bucketTtl, meta, keepRecords]);
    return call;
  });
}

/** The numbers of the index zsets a kept record goes into: its card's, and its partition's by each field it has. */
function recordIndexes(b: CallBuilder, e: Effect): number[] {
  const r = e.record;
  const indexes = [b.no(b.keys.byCard(e.cardToken))];
  if (r.deviceId) indexes.push(b.named('d', r.deviceId));
  if (r.routeId) indexes.push(b.named('r', r.routeId));
  if (r.stationId) indexes.push(b.named('s', r.stationId));
  if (r.stopId) indexes.push(b.named('sp', r.stopId));
  if (r.cardMasked) indexes.push(b.named('m', r.cardMasked));
  if (r.operatorId) indexes.push(b.named('o', r.operatorId));
  return indexes;
}

/** Puts one call's flat reply (code, payload, code, payload, ...) back in the commit's order. */
export function decodeCall(
  call: PartitionCall,
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
      into[position] = { status: 'duplicate', result: JSON.parse(String(flat[2 * i + 1])) as EffectResult };
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
