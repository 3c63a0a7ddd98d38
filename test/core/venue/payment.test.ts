import { describe, expect, it } from 'vitest';
import { planPurchase } from '../../../core/venue/booking.js';
import { planPayment, planRefund } from '../../../core/venue/payment.js';
import { cardState } from '../../support/taps.js';
import { A, at, B, C, DAY, request, SENIOR, scenic } from './fixtures.js';

const NOW = at(DAY, 600);
const family = planPurchase(
  scenic,
  request({
    productId: 'day',
    holders: [
      { token: A, flags: 0 },
      { token: B, flags: SENIOR },
      { token: C, flags: 0 },
    ],
  }),
  NOW,
);
if (!family.ok) throw new Error(family.detail);
const booking = family.plan.booking;
const card = cardState({ token: A, balanceFen: 10_000, version: 4 });

describe('paying for a booking with the card account', () => {
  it('charges the price under compare-and-set, with lines that explain every fen', () => {
    const e = planPayment(card, booking, 'parks', NOW);
    expect(e).toMatchObject({ dedupeKey: 'purchase:bk1', expectVersion: 4, newBalanceFen: 4000 });
    expect(e.record).toMatchObject({
      id: 'purchase:bk1',
      kind: 'purchase',
      venueId: 'park',
      operatorId: 'parks',
      baseFen: 9000,
      chargedFen: 6000,
      amountFen: -6000,
      balanceAfterFen: 4000,
      at: NOW,
    });
    expect(e.record.lines).toEqual([
      { kind: 'base', fen: 9000, note: 'day × 3' },
      { kind: 'concession', fen: -3000, note: 'free for concession holders' },
    ]);
    expect(e.record.lines.reduce((s, l) => s + l.fen, 0)).toBe(e.record.chargedFen);
  });

  it('refunds the price under its own key, charging nothing', () => {
    const e = planRefund({ ...card, balanceFen: 4000, version: 5 }, booking, 'parks', NOW + 1);
    expect(e).toMatchObject({ dedupeKey: 'refund:bk1', expectVersion: 5, newBalanceFen: 10_000 });
    expect(e.record).toMatchObject({ kind: 'purchase', chargedFen: 0, amountFen: 6000, lines: [] });
  });
});
