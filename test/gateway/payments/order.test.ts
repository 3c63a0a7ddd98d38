import { describe, expect, it } from 'vitest';
import {
  canMove,
  countsToday,
  type OrderStatus,
  orderStatuses,
  sourcesOf,
  statusAt,
} from '../../../gateway/src/payments/order.js';

/** The whole table: every pair, allowed or not (docs/decisions/0150). */
const allowed: Array<[OrderStatus, OrderStatus]> = [
  ['created', 'paid'],
  ['created', 'expired'],
  ['paid', 'credited'],
  ['credited', 'refunded'],
];

describe('top-up order state machine', () => {
  for (const from of orderStatuses)
    for (const to of orderStatuses) {
      const ok = allowed.some(([a, b]) => a === from && b === to);
      it(`${ok ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        expect(canMove(from, to)).toBe(ok);
      });
    }

  it('lists the statuses a move may start from (the store compare-and-set)', () => {
    expect(sourcesOf('credited')).toEqual(['paid']);
    expect(sourcesOf('expired')).toEqual(['created']);
    expect(sourcesOf('created')).toEqual([]);
  });

  it('shows an unpaid order past its expiry as expired, from the very millisecond', () => {
    expect(statusAt({ status: 'created', expiresAt: 1_000 }, 999)).toBe('created');
    expect(statusAt({ status: 'created', expiresAt: 1_000 }, 1_000)).toBe('expired');
    expect(statusAt({ status: 'paid', expiresAt: 1_000 }, 5_000)).toBe('paid');
  });

  it.each([
    ['created', 999, true],
    ['created', 1_000, false],
    ['paid', 5_000, true],
    ['credited', 5_000, true],
    ['expired', 0, false],
    ['refunded', 0, false],
  ] as const)('a %s order at %d counts towards the daily sum: %s', (status, now, counts) => {
    expect(countsToday({ status, expiresAt: 1_000 }, now)).toBe(counts);
  });
});
