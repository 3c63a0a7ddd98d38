import { describe, expect, it } from 'vitest';
import type { TapInput } from '../../../core/ledger.js';
import { ackResults, type TapOutcome } from '../../../gateway/src/ingest/ack.js';
import { v1 } from '../../../protos/wire.js';

const tap = (seq: number) => ({ seq }) as TapInput;
const charged = (fen: number, duplicate = false): TapOutcome => ({
  outcome: 'charged',
  chargedFen: fen,
  balanceAfterFen: 1000 - fen,
  reason: 'OK',
  duplicate,
});

describe("a batch ack's results", () => {
  it.each([
    ['ascending taps', [1, 2, 3], [], [1, 2, 3]],
    ['taps out of order', [3, 1, 2], [], [1, 2, 3]],
    ['a malformed tap between them', [1, 3], [2], [1, 2, 3]],
    ['malformed taps only after them', [1, 2], [7, 5], [1, 2, 5, 7]],
    ['a malformed tap before them', [4, 5], [1], [1, 4, 5]],
  ])('come in seq order for %s', (_name, seqs, invalid, order) => {
    const outcomes = new Map(seqs.map((s) => [s, charged(s * 10)] as const));
    const results = ackResults(
      { taps: seqs.map(tap), invalid: invalid.map((seq) => ({ seq, problem: 'bad' })) },
      outcomes,
    );
    expect(results.map((r) => r.seq)).toEqual(order);
  });

  it("carry each tap's outcome and reason as wire codes, and the invalid ones as INVALID_TAP", () => {
    const outcomes = new Map<number, TapOutcome>([
      [1, charged(200)],
      [3, { outcome: 'recorded', chargedFen: 0, balanceAfterFen: 5, reason: 'CARD_LOST', duplicate: true }],
    ]);
    expect(ackResults({ taps: [tap(1), tap(3)], invalid: [{ seq: 2, problem: 'bad' }] }, outcomes)).toEqual([
      {
        seq: 1,
        outcome: v1.Outcome.OUTCOME_CHARGED,
        chargedFen: 200,
        balanceAfterFen: 800,
        reason: v1.Reason.REASON_OK,
        duplicate: false,
      },
      { seq: 2, outcome: v1.Outcome.OUTCOME_RECORDED, reason: v1.Reason.REASON_INVALID_TAP },
      {
        seq: 3,
        outcome: v1.Outcome.OUTCOME_RECORDED,
        chargedFen: 0,
        balanceAfterFen: 5,
        reason: v1.Reason.REASON_CARD_LOST,
        duplicate: true,
      },
    ]);
  });
});
