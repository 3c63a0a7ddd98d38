// What a batch's ack says of each tap (protos/onecard/v1/ack.proto TapResult), in seq order:
// every committed or answered tap with its outcome, and every quarantined malformed tap as
// INVALID_TAP. Pure; the ingest encodes and signs it.
import type { EffectResult } from '../../../core/ledger.js';
import type { AckResult } from '../../../protos/ack-codec.js';
import { reasonCode, outcomes as wireOutcomes } from '../../../protos/codec.js';
import type { ValidBatch } from './validate.js';

/**
 * A tap's answer: its result, and whether it was committed before (a redelivery). A tap applied
 * now is answered with its effect's own result object, `duplicate` absent (0246): no object a tap
 * is made to say false.
 */
export type TapOutcome = EffectResult & { duplicate?: boolean };

/**
 * The results ackResults gives, kept from one call to the next (0246): the ack is written from
 * them before anything else runs (Ingest.ack), so one set of objects serves every batch, and a
 * batch's hundred results are no hundred objects of garbage. Grown to the largest batch seen,
 * which the batch limits bound (ONECARD_MAX_TAPS_PER_BATCH).
 */
const kept: AckResult[] = [];
const inOrder: AckResult[] = [];

function keptResult(i: number): AckResult {
  let r = kept[i];
  if (r === undefined) {
    r = { seq: 0, outcome: 0, chargedFen: 0, balanceAfterFen: 0, reason: 0, duplicate: false };
    kept.push(r);
  }
  return r;
}

/**
 * One result per tap of the batch, in seq order. Built in one pass: a batch's taps come
 * ascending and usually none is malformed, so the sort runs only when they are not in order
 * already (docs/decisions/0211). `outcomes` holds every valid tap's seq. The array and its
 * objects are reused by the next call (0246): read them before calling again.
 */
export function ackResults(
  batch: Pick<ValidBatch, 'taps' | 'invalid'>,
  outcomes: ReadonlyMap<number, TapOutcome>,
): AckResult[] {
  const results = inOrder;
  results.length = 0;
  let ordered = true;
  let n = 0;
  for (const t of batch.taps) {
    const o = outcomes.get(t.seq)!;
    if (n > 0 && results[n - 1]!.seq > t.seq) ordered = false;
    const r = keptResult(n++);
    r.seq = t.seq;
    r.outcome = wireOutcomes.code[o.outcome];
    r.chargedFen = o.chargedFen;
    r.balanceAfterFen = o.balanceAfterFen;
    r.reason = reasonCode(o.reason);
    r.duplicate = o.duplicate === true;
    results.push(r);
  }
  for (const i of batch.invalid) {
    ordered = false;
    // No charge, balance or duplicate flag: written as absent, as a result made without them.
    const r = keptResult(n++);
    r.seq = i.seq;
    r.outcome = wireOutcomes.code.recorded;
    r.chargedFen = 0;
    r.balanceAfterFen = 0;
    r.reason = reasonCode('INVALID_TAP');
    r.duplicate = false;
    results.push(r);
  }
  if (!ordered) results.sort((a, b) => a.seq - b.seq);
  return results;
}
