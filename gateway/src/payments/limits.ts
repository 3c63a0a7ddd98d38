// Top-up limits (docs/decisions/0150), pure: the amount of one top-up, the card's balance after
// it, and sums per China-time day (core/facts.ts localDay; the caller passes the time).
import type { PaymentErrorCode } from './errors.js';

export interface TopUpLimits {
  /** Largest single paid top-up, fen. */
  maxSingleFen: number;
  /** Largest sum of a card's paid top-ups in one China-time day, fen (orders awaiting payment count). */
  maxDailyFen: number;
  /** Largest balance a paid top-up may leave on the card, fen. */
  maxBalanceFen: number;
  /** Largest sum of counter top-ups one operator account makes in one China-time day, fen. */
  maxOperatorDailyFen: number;
}

/**
 * The checks that need no store: the amount itself, then the balance it would leave. The daily
 * sum is checked by the store in the same atomic step that writes the order (two orders made
 * at once must not both fit under the limit).
 */
export function checkOrder(
  limits: TopUpLimits,
  amountFen: number,
  balanceFen: number,
): PaymentErrorCode | undefined {
  if (amountFen > limits.maxSingleFen) return 'TOPUP_LIMIT_SINGLE';
  if (balanceFen + amountFen > limits.maxBalanceFen) return 'TOPUP_LIMIT_BALANCE';
  return undefined;
}

/** Whether one more amount fits a daily sum already used (the store applies this rule atomically). */
export function fitsDaily(usedFen: number, amountFen: number, limitFen: number): boolean {
  return usedFen + amountFen <= limitFen;
}
