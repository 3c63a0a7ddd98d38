import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../core/card.js';
import { chain, type TapInput } from '../../core/ledger.js';
import { localDay } from '../../core/time.js';
import { USE_KEEP_DAYS } from '../../core/uses.js';
import { planVisit, planVisitCounting } from '../../core/visit.js';
import { cardState, tapInput } from '../support/taps.js';

const visit = (o: Partial<TapInput> = {}) =>
  tapInput({ record: 'visit', venueId: 'park-1', routeId: '', stopId: '', direction: 'entry', ...o });
const ticket = { edgeReason: 'TICKET_ADMITTED', entitlementId: 't1' } as const;

describe('planning a visit', () => {
  const table: Array<
    [string, Partial<TapInput>, Parameters<typeof cardState>[0], number, string, number | null]
  > = [
    // [case, tap, card, prior uses, reason, expected version]
    [
      'a library visit is recorded with the device reason',
      { edgeReason: 'READER_CARD_ACCEPTED' },
      {},
      0,
      'READER_CARD_ACCEPTED',
      null,
    ],
    [
      'a refused visit is recorded, not marked',
      { edgeDecision: 'deny', edgeReason: 'NO_TICKET' },
      {},
      0,
      'NO_TICKET',
      null,
    ],
    [
      "another city's card (unknown here) is recorded",
      { edgeReason: 'IDENTITY_VERIFIED' },
      { known: false },
      0,
      'IDENTITY_VERIFIED',
      null,
    ],
    [
      'a card reported lost before the visit arrived is marked',
      { edgeReason: 'READER_CARD_ACCEPTED' },
      { status: 'lost' },
      0,
      'LOST_AFTER_THE_FACT',
      null,
    ],
    ['the first use of a ticket stands, and serialises on the card', ticket, {}, 0, 'TICKET_ADMITTED', 3],
    [
      'a second use of a single-use ticket is kept and marked',
      ticket,
      {},
      1,
      'ENTITLEMENT_REUSED_OFFLINE',
      3,
    ],
    [
      'a reservation is single-use too',
      { edgeReason: 'RESERVATION_ADMITTED', entitlementId: 'r1' },
      {},
      1,
      'ENTITLEMENT_REUSED_OFFLINE',
      3,
    ],
    [
      'an annual pass is not',
      { edgeReason: 'ANNUAL_PASS_ADMITTED', entitlementId: 'p1' },
      {},
      9,
      'ANNUAL_PASS_ADMITTED',
      3,
    ],
  ];
  it.each(table)('%s', (_name, tap, card, prior, reason, version) => {
    const e = planVisit(cardState(card), visit(tap), prior, 5);
    expect(e.result).toEqual({
      outcome: 'recorded',
      chargedFen: 0,
      balanceAfterFen: cardState(card).balanceFen,
      reason,
    });
    expect(e.record).toMatchObject({ kind: 'visit', reason, chargedFen: 0, amountFen: 0, committedAt: 5 });
    expect(e.expectVersion).toBe(version);
    expect(e.newBalanceFen).toBe(cardState(card).balanceFen);
  });

  it('records the concession of a free entry and the entitlement used', () => {
    const free = planVisit(
      cardState({ flags: ConcessionFlag.SENIOR }),
      visit({ edgeReason: 'CONCESSION_ENTRY' }),
      0,
      5,
    );
    expect(free.record.concession).toBe('senior_free');
    expect(planVisit(cardState(), visit(ticket), 0, 5).record.entitlementId).toBe('t1');
  });

  it('counts uses in the card: the second tap on one ticket is marked, the count goes with the card', () => {
    const first = chain(cardState(), (c) => planVisitCounting(c, visit({ ...ticket, seq: 1 }), 5));
    const second = chain(first.next, (c) => planVisitCounting(c, visit({ ...ticket, seq: 2 }), 5));
    expect([first, second].map((s) => s.effect.result.reason)).toEqual([
      'TICKET_ADMITTED',
      'ENTITLEMENT_REUSED_OFFLINE',
    ]);
    const day = localDay(visit().deviceTimeMs);
    expect(first.effect.newUses).toEqual([['t1', 1, day + USE_KEEP_DAYS]]);
    expect(second.next.uses).toEqual([['t1', 2, day + USE_KEEP_DAYS]]);
  });

  it("marks a 30-day ticket's reuse 20 days later, its count kept to the ticket's last day (0215)", () => {
    const DAY_MS = 24 * 3600_000;
    const first = visit({ ...ticket, seq: 1 });
    const day = localDay(first.deviceTimeMs);
    const one = chain(cardState(), (c) => planVisitCounting(c, { ...first, entitlementToDay: day + 29 }, 5));
    expect(one.effect.newUses).toEqual([['t1', 1, day + 29]]);
    const later = { ...ticket, seq: 2, deviceTimeMs: first.deviceTimeMs + 20 * DAY_MS };
    const two = chain(one.next, (c) =>
      planVisitCounting(c, visit({ ...later, entitlementToDay: day + 29 }), 5),
    );
    expect(two.effect.result.reason).toBe('ENTITLEMENT_REUSED_OFFLINE');
    // The same reuse from firmware that does not send the day: the 8-day count has gone.
    const old = chain(cardState(), (c) => planVisitCounting(c, first, 5));
    expect(planVisitCounting(old.next, visit(later), 5).result.reason).toBe('TICKET_ADMITTED');
  });

  it('keeps an annual pass (never counted) to the short default whatever day the tap names', () => {
    const pass = visit({ edgeReason: 'ANNUAL_PASS_ADMITTED', entitlementId: 'p1' });
    const day = localDay(pass.deviceTimeMs);
    expect(planVisitCounting(cardState(), { ...pass, entitlementToDay: day + 30 }, 5).newUses).toEqual([
      ['p1', 1, day + USE_KEEP_DAYS],
    ]);
  });

  it('leaves the uses alone for a visit that uses no entitlement or that the device denied', () => {
    const card = cardState({ uses: [['t1', 1, 99_999]] });
    for (const tap of [
      visit({ edgeReason: 'READER_CARD_ACCEPTED' }),
      visit({ ...ticket, edgeDecision: 'deny' }),
    ])
      expect(planVisitCounting(card, tap, 5).newUses).toBeUndefined();
  });
});
