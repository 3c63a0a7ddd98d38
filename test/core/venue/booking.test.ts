import { describe, expect, it } from 'vitest';
import {
  checkCancel,
  entitlementsOf,
  isNoShow,
  noShowBlocked,
  planPurchase,
  planReservation,
} from '../../../core/venue/booking.js';
import { A, at, B, C, D, DAY, museum, request, SENIOR, scenic } from './fixtures.js';

const NOW = at(DAY, 600); // 10:00 on DAY
const none = new Map<string, number[]>();

describe('planning a museum reservation', () => {
  it.each([
    ['tomorrow, first slot', request(), NOW, { limit: 8, counter: `slot:${DAY + 1}:540` }],
    ['today, a later slot', request({ day: DAY, slotStartMin: 660 }), NOW, { limit: 8 }],
    ['the last day of the horizon', request({ day: DAY + 7 }), NOW, { limit: 8 }],
    [
      'a party of three',
      request({ holders: [A, B, C].map((token) => ({ token, flags: 0 })) }),
      NOW,
      { limit: 8 },
    ],
  ])('%s is planned against capacity minus the senior quota', (_, req, now, expected) => {
    const r = planReservation(museum, req, none, now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.limit).toBe(expected.limit);
    expect(r.plan.booking.status).toBe('confirmed');
    expect(r.plan.booking.seats).toBe(req.holders.length);
    if ('counter' in expected) expect(r.plan.booking.counter).toBe(expected.counter);
  });

  it.each([
    ['an unknown product', request({ productId: 'nope' }), NOW, 'VENUE_PRODUCT_UNKNOWN'],
    ['an unknown slot', request({ slotStartMin: 600 }), NOW, 'VENUE_SLOT_UNKNOWN'],
    ['yesterday', request({ day: DAY - 1 }), NOW, 'VENUE_DAY_OUT_OF_RANGE'],
    ['beyond the horizon', request({ day: DAY + 8 }), NOW, 'VENUE_DAY_OUT_OF_RANGE'],
    [
      'today, the slot already closing',
      request({ day: DAY, slotStartMin: 540 }),
      at(DAY, 630),
      'VENUE_SLOT_CLOSED',
    ],
    [
      'a party over the maximum',
      request({ holders: [A, B, C, D].map((token) => ({ token, flags: 0 })) }),
      NOW,
      'VENUE_PARTY_TOO_LARGE',
    ],
    [
      'one card twice in a party',
      request({ holders: [A, A].map((token) => ({ token, flags: 0 })) }),
      NOW,
      'VENUE_PARTY_TOO_LARGE',
    ],
    ['a walk-in for tomorrow', request({ channel: 'walk_in' }), NOW, 'VENUE_WALK_IN_CLOSED'],
    [
      'a walk-in for a slot not yet started',
      request({ channel: 'walk_in', day: DAY, slotStartMin: 660 }),
      NOW,
      'VENUE_WALK_IN_CLOSED',
    ],
  ])('%s is refused', (_, req, now, refusal) => {
    const r = planReservation(museum, req, none, now);
    expect(r).toMatchObject({ ok: false, refusal });
  });

  it('a walk-in in the current slot shares the online places; seniors walking in may use their quota', () => {
    const walkIn = request({ channel: 'walk_in', day: DAY, slotStartMin: 540 });
    const other = planReservation(museum, walkIn, none, NOW);
    const seniors = planReservation(
      museum,
      {
        ...walkIn,
        holders: [
          { token: A, flags: SENIOR },
          { token: B, flags: SENIOR },
        ],
      },
      none,
      NOW,
    );
    const mixed = planReservation(
      museum,
      {
        ...walkIn,
        holders: [
          { token: A, flags: SENIOR },
          { token: B, flags: 0 },
        ],
      },
      none,
      NOW,
    );
    expect(other.ok && other.plan.limit).toBe(8);
    expect(seniors.ok && seniors.plan.limit).toBe(10);
    expect(mixed.ok && mixed.plan.limit).toBe(8);
  });

  it('a holder blocked for no-shows blocks the whole booking', () => {
    const noShows = new Map([[B, [DAY - 3, DAY - 2, DAY - 1]]]);
    const r = planReservation(
      museum,
      request({ holders: [A, B].map((token) => ({ token, flags: 0 })) }),
      noShows,
      NOW,
    );
    expect(r).toMatchObject({ ok: false, refusal: 'VENUE_NO_SHOW_BLOCKED' });
  });
});

describe('no-show blocking (3 within 90 days block for 30 days after the last)', () => {
  const rules = museum.booking!;
  it.each([
    ['none', [], DAY, false],
    ['two', [DAY - 10, DAY - 5], DAY, false],
    ['three recent', [DAY - 10, DAY - 5, DAY - 1], DAY, true],
    ['three, the last 30 days ago', [DAY - 50, DAY - 40, DAY - 30], DAY, true],
    ['three, the last 31 days ago', [DAY - 50, DAY - 40, DAY - 31], DAY, false],
    ['three, one outside the window', [DAY - 91, DAY - 5, DAY - 1], DAY, false],
    ['the rule switched off', [DAY - 3, DAY - 2, DAY - 1], DAY, 'off'],
  ])('%s', (_, days, today, expected) => {
    const r = expected === 'off' ? { ...rules, noShowLimit: 0 } : rules;
    expect(noShowBlocked(r, days as number[], today)).toBe(expected === 'off' ? false : expected);
  });

  it.each([
    ['before the slot ends', at(DAY, 650), false],
    ['within the grace after the slot', at(DAY, 660 + 29), false],
    ['when the grace is over', at(DAY, 660 + 30), true],
    ['the next day', at(DAY + 1, 0), true],
  ])('a confirmed reservation is a no-show %s: %s', (_, now, expected) => {
    const r = planReservation(museum, request({ day: DAY, slotStartMin: 540 }), none, at(DAY, 500));
    if (!r.ok) throw new Error('planned');
    expect(isNoShow(r.plan.booking, now, 30)).toBe(expected);
    expect(isNoShow({ ...r.plan.booking, status: 'used' }, now, 30)).toBe(false);
  });
});

describe('planning a scenic-area purchase', () => {
  it.each([
    ['a day ticket', 'day', [0], 3000, `day:${DAY + 1}`, 100, DAY + 1],
    [
      'a day ticket for a senior is free but still counted',
      'day',
      [SENIOR],
      0,
      `day:${DAY + 1}`,
      100,
      DAY + 1,
    ],
    ['tickets for a family with a senior', 'day', [0, SENIOR, 0], 6000, `day:${DAY + 1}`, 100, DAY + 1],
    ['an annual pass: a year, not counted against the day', 'pass', [SENIOR], 12000, '', null, DAY + 365],
  ])('%s', (_, productId, flags, price, counter, limit, toDay) => {
    const holders = flags.map((f, i) => ({ token: [A, B, C][i]!, flags: f }));
    const r = planPurchase(scenic, request({ productId, holders }), NOW);
    if (!r.ok) throw new Error(r.detail);
    expect(r.plan.booking).toMatchObject({ priceFen: price, counter, toDay, fromDay: DAY + 1 });
    expect(r.plan.booking.status).toBe(price === 0 ? 'confirmed' : 'pending');
    expect(r.plan.limit).toBe(limit);
  });

  it.each([
    ['a reservation product', request({ productId: 'visit' }), NOW, 'VENUE_PRODUCT_UNKNOWN'],
    ['today after closing', request({ productId: 'day', day: DAY }), at(DAY, 1140), 'VENUE_SLOT_CLOSED'],
    ['beyond the horizon', request({ productId: 'day', day: DAY + 8 }), NOW, 'VENUE_DAY_OUT_OF_RANGE'],
  ])('%s is refused', (_, req, now, refusal) => {
    expect(planPurchase(scenic, req, now)).toMatchObject({ ok: false, refusal });
  });
});

describe('cancelling and the gates’ entitlements', () => {
  const r = planReservation(
    museum,
    request({ holders: [A, B].map((token) => ({ token, flags: 0 })) }),
    none,
    NOW,
  );
  if (!r.ok) throw new Error('planned');
  const booking = r.plan.booking;

  it.each([
    ['the day before', booking, at(DAY, 900), undefined],
    ['just before the slot starts', booking, at(DAY + 1, 539), undefined],
    ['when the slot starts', booking, at(DAY + 1, 540), 'VENUE_NOT_CANCELLABLE'],
    ['once used', { ...booking, status: 'used' as const }, NOW, 'VENUE_NOT_CANCELLABLE'],
    ['once cancelled', { ...booking, status: 'cancelled' as const }, NOW, 'VENUE_NOT_CANCELLABLE'],
  ])('%s: %s', (_, b, now, expected) => {
    expect(checkCancel(b, now)).toBe(expected);
  });

  it('each holder gets an entitlement for the slot, single-use', () => {
    expect(entitlementsOf(booking)).toEqual([
      {
        token: A,
        entitlement: {
          kind: 'reservation',
          venueId: 'museum',
          id: 'bk1.1',
          fromDay: DAY + 1,
          toDay: DAY + 1,
          slotStartMin: 540,
          slotEndMin: 660,
          maxEntries: 1,
        },
      },
      expect.objectContaining({ token: B, entitlement: expect.objectContaining({ id: 'bk1.2' }) }),
    ]);
  });
});
