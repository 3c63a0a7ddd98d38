import { describe, expect, it } from 'vitest';
import { checkOrder, fitsDaily, type TopUpLimits } from '../../../gateway/src/payments/limits.js';

const limits: TopUpLimits = {
  maxSingleFen: 50_000,
  maxDailyFen: 80_000,
  maxBalanceFen: 100_000,
  maxOperatorDailyFen: 1_000_000,
};

describe('top-up limits', () => {
  it.each([
    [50_000, 0, undefined],
    [50_001, 0, 'TOPUP_LIMIT_SINGLE'],
    [50_000, 50_000, undefined],
    [50_000, 50_001, 'TOPUP_LIMIT_BALANCE'],
    // The amount first: one too large is that, whatever the balance.
    [60_000, 90_000, 'TOPUP_LIMIT_SINGLE'],
    // A card below zero (rides into negative) may be topped up by more than the limit's headroom.
    [50_000, -10_000, undefined],
  ] as const)('an order of %d fen on a balance of %d: %s', (amount, balance, refusal) => {
    expect(checkOrder(limits, amount, balance)).toBe(refusal);
  });

  it('fits a daily sum up to the limit exactly', () => {
    expect(fitsDaily(70_000, 10_000, 80_000)).toBe(true);
    expect(fitsDaily(70_000, 10_001, 80_000)).toBe(false);
  });
});
