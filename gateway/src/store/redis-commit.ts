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
  const calls = new Map<number, { call: PartitionCall; keyNo: Map<string, number>; meta: unknown[] }>();
  effects.forEach((e, position) => {
    const p = keys.partitionOf(e.cardToken);
    let group = calls.get(p);
    if (!group) {
      const fixed = [keys.seen(p), keys.records(p), keys.byTime(p), keys.outbox(p)];
      group = {
        call: { partition: p, positions: [], keys: fixed, args: [''] },
        keyNo: new Map(fixed.map((k, i) => [k, i + 1])),
        meta: [],
      };
      calls.set(p, group);
    }
    const { call, keyNo } = group;
    // Lua indexes KEYS from 1; each distinct key is passed once however many effects use it.
    const no = (key: string): number => {
      let n = keyNo.get(key);
      if (n === undefined) {
        n = call.keys.push(key);
        keyNo.set(key, n);
      }
      return n;
    };
    const r = e.record;
    const indexes = keepRecords ? recordIndexes(keys, p, e) : [];
    const cas = e.expectVersion !== null;
    group.meta.push([
      e.dedupeKey,
      r.id,
      cas ? no(keys.card(e.cardToken)) : 0,
      cas ? String(e.expectVersion) : false,
      cas ? String(e.expectVersion! + 1) : '',
      String(e.newBalanceFen),
      String(r.at),
      indexes.map(no),
      cas ? encodeFareState(e.newFare) : '',
      keepRecords ? statIncrements(r, p, keys, no) : false,
      // The sweep's open-entry index follows the fare state written with the card.
      cas ? no(keys.openEntries(p)) : 0,
      cas && e.newFare.open ? String(e.newFare.open.t) : false,
      e.cardToken,
      // A tap's key lives in the bucket of its day (docs/decisions/0196); any other is kept.
      isTapKey(e.dedupeKey) ? no(keys.seenOn(p, dedupeDay(r.at))) : 1,
      // Entitlement uses go with the card (docs/decisions/0203); false leaves them as they are.
      cas && e.newUses ? encodeUses(e.newUses) : false,
    ]);
    call.positions.push(position);
    call.args.push(JSON.stringify(r), JSON.stringify(e.result));
  });
  return [...calls.values()].map(({ call, meta }) => {
    call.args[0] = JSON.stringify([bucketTtl, meta, keepRecords]);
    return call;
  });
}

/** The index zsets a kept record goes into: its card's, and its partition's by each field it has. */
function recordIndexes(keys: RedisKeys, p: number, e: Effect): string[] {
  const r = e.record;
  const indexes = [keys.byCard(e.cardToken)];
  if (r.deviceId) indexes.push(keys.byDevice(p, r.deviceId));
  if (r.routeId) indexes.push(keys.byRoute(p, r.routeId));
  if (r.stationId) indexes.push(keys.byStation(p, r.stationId));
  if (r.stopId) indexes.push(keys.byStop(p, r.stopId));
  if (r.cardMasked) indexes.push(keys.byMasked(p, r.cardMasked));
  if (r.operatorId) indexes.push(keys.byOperator(p, r.operatorId));
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
