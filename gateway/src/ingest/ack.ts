// What a batch's ack says of each tap (protos/onecard/v1/ack.proto TapResult), in seq order:
// every committed or answered tap with its outcome, and every quarantined malformed tap as
// INVALID_TAP. Pure; the ingest encodes and signs it.
import type { EffectResult } from '../../../core/ledger.js';
import type { AckResult } from '../../../protos/ack-codec.js';
import { reasonCode, outcomes as wireOutcomes } from '../../../protos/codec.js';
import type { ValidBatch } from './validate.js';

/** A tap's answer: its result, and whether it was committed before (a redelivery). */
export type TapOutcome = EffectResult & { duplicate: boolean };

/**
 * One result per tap of the batch, in seq order. Built in one pass: a batch's taps come
 * ascending and usually none is malformed, so the sort runs only when they are not in order
 * already (docs/decisions/0211). `outcomes` holds every valid tap's seq.
 */
export function ackResults(
  batch: Pick<ValidBatch, 'taps' | 'invalid'>,
  outcomes: ReadonlyMap<number, TapOutcome>,
): AckResult[] {
  const results: AckResult[] = [];
  let ordered = true;
  for (const t of batch.taps) {
    const o = outcomes.get(t.seq)!;
    if (results.length > 0 && results[results.length - 1]!.seq > t.seq) ordered = false;
    results.push({
      seq: t.seq,
      outcome: wireOutcomes.code[o.outcome],
      chargedFen: o.chargedFen,
      balanceAfterFen: o.balanceAfterFen,
      reason: reasonCode(o.reason),
      duplicate: o.duplicate,
    });
  }
  for (const i of batch.invalid) {
    ordered = false;
    results.push({ seq: i.seq, outcome: wireOutcomes.code.recorded, reason: reasonCode('INVALID_TAP') });
  }
  if (!ordered) results.sort((a, b) => a.seq - b.seq);
  return results;
}
