// Strict validation of a tap batch as it arrives from MQTT. Two levels:
// - the batch: size, protobuf, ids matching the topic, tap count. A batch failing here is
//   rejected whole (dead-lettered, counted, not acked: the device keeps it and resends);
// - each tap: a malformed tap is quarantined with its reason and acked as INVALID_TAP, so one
//   bad tap never blocks the device's journal and is never lost either.
import type { TapInput } from '../../../core/ledger.js';
import { TOKEN_BYTES } from '../../../core/pii.js';
import { localDay } from '../../../core/time.js';
import { parseDeviceTopic } from '../../../core/topics.js';
import { MAX_ENTITLEMENT_DAYS } from '../../../core/uses.js';
import {
  credentials,
  type DecodedTap,
  decisions,
  directions,
  epochFromWire,
  reasonName,
  tapInputOf,
} from '../../../protos/codec.js';
import { emptyTap, TapBatchReader } from '../../../protos/tap-codec.js';

export type BatchRejection =
  | 'OVERSIZED'
  | 'MALFORMED_PROTOBUF'
  | 'BAD_TOPIC'
  | 'TOPIC_MISMATCH'
  | 'EMPTY_BATCH'
  | 'TOO_MANY_TAPS'
  | 'BAD_EPOCH'
  | 'UNKNOWN_DEVICE'
  | 'DEVICE_RETIRED';

export interface InvalidTap {
  seq: number;
  problem: string;
}

export interface ValidBatch {
  operatorId: string;
  deviceId: string;
  /** The journal's epoch (core/epoch.ts); LEGACY_EPOCH ('') when the batch carries none. */
  epoch: string;
  sentAtMs: number;
  taps: TapInput[];
  invalid: InvalidTap[];
  /** The decoded `signature` field; checked against the device's key (signatures.ts). */
  signature: Uint8Array;
}

export type Validation =
  | { ok: true; batch: ValidBatch }
  | { ok: false; reason: BatchRejection; detail: string };

export interface Limits {
  maxBatchBytes: number;
  maxTapsPerBatch: number;
}

const REGION = /^(\d{6})?$/;
const LOCATION_ID = /^[A-Za-z0-9_.:-]{0,64}$/;
// Taps stamped before 2020 or more than a day ahead of the gateway are clock faults.
const EARLIEST_MS = Date.UTC(2020, 0, 1);
const MAX_AHEAD_MS = 24 * 3600 * 1000;

export function validateBatch(topic: string, payload: Uint8Array, limits: Limits, now: number): Validation {
  if (payload.byteLength > limits.maxBatchBytes)
    return {
      ok: false,
      reason: 'OVERSIZED',
      detail: `${payload.byteLength} bytes > ${limits.maxBatchBytes}`,
    };
  const ids = parseDeviceTopic(topic);
  if (ids?.leaf !== 'taps') return { ok: false, reason: 'BAD_TOPIC', detail: topic };
  // Read by hand (protos/tap-codec.ts, docs/decisions/0216): the taps go from the payload into
  // one TapInput each. The batch's own fields first; a refusal they call for is given only once
  // every tap has been read, because a protobuf error anywhere in the payload comes first.
  const batch = new TapBatchReader(payload);
  if (batch.error !== undefined) return { ok: false, reason: 'MALFORMED_PROTOBUF', detail: batch.error };
  // A malformed epoch is the batch's fault, not a tap's: every key in it would be wrong.
  const epoch = epochFromWire(batch.journalEpoch);
  const refusal = batchRefusal(batch, ids, epoch, limits);
  const keep = refusal === undefined && epoch !== undefined;

  const taps: TapInput[] = [];
  const invalid: InvalidTap[] = [];
  // The accepted seqs, for "appears twice": a device sends them ascending, and a seq above every
  // one before cannot repeat, so the set is built only when a seq is not (docs/decisions/0211).
  let seen: Set<number> | undefined;
  let top = 0;
  const tap = emptyTap();
  while (batch.nextTap(tap)) {
    // A refused batch's taps are still read to the end (for a protobuf error), never kept.
    if (!keep) continue;
    const seq = tap.seq;
    if (seq <= top) seen ??= new Set(taps.map((t) => t.seq));
    const problem = tapProblem(tap, seq, seen, now);
    if (problem) {
      invalid.push({ seq: Number.isSafeInteger(seq) ? seq : 0, problem });
      continue;
    }
    seen?.add(seq);
    if (seq > top) top = seq;
    taps.push(tapInputOf(tap, seq, ids.operatorId, ids.deviceId, epoch));
  }
  if (batch.error !== undefined) return { ok: false, reason: 'MALFORMED_PROTOBUF', detail: batch.error };
  if (!keep) return { ok: false, ...refusal! };
  return {
    ok: true,
    batch: {
      operatorId: ids.operatorId,
      deviceId: ids.deviceId,
      epoch,
      sentAtMs: batch.sentAtMs,
      taps,
      invalid,
      signature: batch.signature,
    },
  };
}

/** The refusal the batch's own fields call for, in the order docs/topics.md gives. */
function batchRefusal(
  batch: TapBatchReader,
  ids: { operatorId: string; deviceId: string },
  epoch: string | undefined,
  limits: Limits,
): { reason: BatchRejection; detail: string } | undefined {
  if (batch.deviceId !== ids.deviceId || batch.operatorId !== ids.operatorId)
    return {
      reason: 'TOPIC_MISMATCH',
      detail: `payload ${batch.operatorId}/${batch.deviceId} on topic ${ids.operatorId}/${ids.deviceId}`,
    };
  if (batch.taps === 0) return { reason: 'EMPTY_BATCH', detail: 'no taps' };
  if (batch.taps > limits.maxTapsPerBatch)
    return { reason: 'TOO_MANY_TAPS', detail: `${batch.taps} > ${limits.maxTapsPerBatch}` };
  if (epoch === undefined)
    return {
      reason: 'BAD_EPOCH',
      detail: `journal_epoch is ${batch.journalEpoch.byteLength} bytes or all zero, not 8 random bytes`,
    };
  return undefined;
}

/** Why a tap is quarantined, or undefined; `seq` is tap.seq (not a safe integer past 2^53). */
export function tapProblem(
  tap: DecodedTap,
  seq: number,
  seen: Set<number> | undefined,
  now: number,
): string | undefined {
  if (!Number.isSafeInteger(seq) || seq < 1) return `seq ${seq} is not a positive integer`;
  if (seen?.has(seq)) return `seq ${seq} appears twice in the batch`;
  if (tap.cardTokenBytes !== TOKEN_BYTES)
    return `card_token has ${tap.cardTokenBytes} bytes, not ${TOKEN_BYTES}`;
  const t = tap.deviceTimeMs;
  if (!Number.isSafeInteger(t) || t < EARLIEST_MS || t > now + MAX_AHEAD_MS)
    return `device_time_ms ${t} is implausible`;
  if (credentials.name[tap.credential] === undefined) return `credential ${tap.credential} is unknown`;
  if (directions.name[tap.direction] === undefined) return `direction ${tap.direction} is unknown`;
  if (decisions.name[tap.decision] === undefined) return `decision ${tap.decision} is unknown`;
  if (reasonName(tap.reason) === 'UNSPECIFIED') return `reason ${tap.reason} is unknown`;
  if (!REGION.test(tap.issuingRegion)) return 'issuing_region is not a 6-digit code';
  // An absent Location reads as four empty ids, which pass as it did.
  if (
    !(
      isIdOrAbsent(tap.routeId) &&
      isIdOrAbsent(tap.stopId) &&
      isIdOrAbsent(tap.stationId) &&
      isIdOrAbsent(tap.venueId)
    )
  )
    return 'a location id has the wrong form';
  if (tap.entitlementId && !LOCATION_ID.test(tap.entitlementId)) return 'entitlement_id has the wrong form';
  return toDayProblem(tap.entitlementToDay, !!tap.entitlementId, t);
}

/**
 * entitlement_to_day (docs/decisions/0215): 0, or the last day of the entitlement the tap names,
 * which a device admitted on only if it had not ended: from the tap's local day (one day less,
 * for a device whose day turned a moment apart from its clock) to MAX_ENTITLEMENT_DAYS after.
 * Anything else is no honest device's decision (a firmware fault or a forgery): quarantined like
 * any field out of its range, not clamped into it, so the fault shows (0215 says why).
 */
function toDayProblem(toDay: number, hasId: boolean, at: number): string | undefined {
  if (!toDay) return undefined;
  if (!hasId) return 'entitlement_to_day is set without an entitlement_id';
  const day = localDay(at);
  if (toDay < day - 1 || toDay > day + MAX_ENTITLEMENT_DAYS)
    return `entitlement_to_day ${toDay} is outside ${day - 1}..${day + MAX_ENTITLEMENT_DAYS}`;
  return undefined;
}

/** Empty (a field the device leaves out: no pattern to run) or of the id form. */
function isIdOrAbsent(id: string): boolean {
  return id === '' || LOCATION_ID.test(id);
}
