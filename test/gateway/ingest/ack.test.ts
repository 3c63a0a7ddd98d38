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
      // No charge, balance or redelivery: zeros and false, which the ack leaves out (as absent).
      {
        seq: 2,
        outcome: v1.Outcome.OUTCOME_RECORDED,
        chargedFen: 0,
        balanceAfterFen: 0,
        reason: v1.Reason.REASON_INVALID_TAP,
        duplicate: false,
      },
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

  it('answer a tap applied now from its own result object, not flagged a redelivery', () => {
    // The ingest hands the effect's result over as is (0246): no `duplicate` field on it.
    const applied = { outcome: 'charged', chargedFen: 300, balanceAfterFen: 700, reason: 'OK' } as const;
    const [r] = ackResults({ taps: [tap(4)], invalid: [] }, new Map([[4, applied]]));
    expect(r).toEqual({
      seq: 4,
      outcome: v1.Outcome.OUTCOME_CHARGED,
      chargedFen: 300,
      balanceAfterFen: 700,
      reason: v1.Reason.REASON_OK,
      duplicate: false,
    });
  });

  it('are made again by the next call in the same objects, so a batch leaves no garbage of them', () => {
    const first = ackResults(
      { taps: [tap(1), tap(2)], invalid: [] },
      new Map([
        [1, charged(10)],
        [2, charged(20)],
      ]),
    );
    const firstObjects = [...first];
    expect(first.map((r) => r.chargedFen)).toEqual([10, 20]);
    const second = ackResults(
      { taps: [tap(5)], invalid: [{ seq: 3, problem: 'bad' }] },
      new Map([[5, charged(50)]]),
    );
    // Read before the next call, as the ingest does: the second call rewrote them.
    expect(second.map((r) => r.seq)).toEqual([3, 5]);
    expect(second.map((r) => r.chargedFen)).toEqual([0, 50]);
    expect(new Set([...second, ...firstObjects]).size).toBe(2);
  });
});
