import { describe, expect, it } from 'vitest';
import { planTap } from '../../../core/ledger.js';
import { flatPricer } from '../../../core/pricing.js';
import { flatFare } from '../../../core/tariff/flat.js';
import { planBatch, uniqueTokens, withLocationChecked } from '../../../gateway/src/ingest/plan.js';
import { cardState, tapInput } from '../../support/taps.js';

const fare = flatPricer(flatFare({ busFlatFen: 200, metroFlatFen: 300 }));
const A = 'aa'.repeat(16);
const B = 'bb'.repeat(16);

describe('planning a batch', () => {
  it('chains taps of the same card and keeps tap order', () => {
    const cards = new Map([
      [A, cardState({ token: A, version: 1, balanceFen: 1000 })],
      [B, cardState({ token: B, version: 7, balanceFen: 500 })],
    ]);
    const taps = [
      tapInput({ seq: 1, cardToken: A }),
      tapInput({ seq: 2, cardToken: B }),
      tapInput({ seq: 3, cardToken: A }),
    ];
    const effects = planBatch(taps, cards, fare, 0);
    expect(effects.map((e) => [e.cardToken, e.expectVersion, e.newBalanceFen])).toEqual([
      [A, 1, 800],
      [B, 7, 300],
      [A, 2, 600],
    ]);
  });
  it('plans a batch of distinct cards each from its loaded state, as planTap alone does', () => {
    const C = 'cc'.repeat(16);
    const cards = new Map([
      [A, cardState({ token: A, version: 1, balanceFen: 1000 })],
      [B, cardState({ token: B, version: 7, balanceFen: 500 })],
      [C, cardState({ token: C, version: 3, balanceFen: 100, status: 'lost' })],
    ]);
    const taps = [A, B, C].map((cardToken, i) => tapInput({ seq: i + 1, cardToken }));
    expect(planBatch(taps, cards, fare, 5)).toEqual(
      taps.map((t) => planTap(cards.get(t.cardToken)!, t, fare, 5)),
    );
  });
  it('treats a card missing from the loaded states as unknown', () => {
    const [effect] = planBatch([tapInput({ cardToken: B })], new Map(), fare, 0);
    expect(effect?.result.reason).toBe('UNKNOWN_CARD');
    expect(effect?.expectVersion).toBeNull();
  });
  it('marks the taps at a place the device may not report, and plans them without a price (0161)', () => {
    const cards = new Map([[A, cardState({ token: A, version: 1, balanceFen: 1000 })]]);
    const reg = { routeId: 'r12', stationId: '', venueId: '' };
    const taps = withLocationChecked(
      [
        tapInput({ seq: 1, cardToken: A }),
        tapInput({ seq: 2, cardToken: A, routeId: 'r99' }),
        tapInput({ seq: 3, cardToken: A }),
      ],
      reg,
    );
    expect(taps.map((t) => t.refusal)).toEqual([undefined, 'LOCATION_NOT_ALLOWED', undefined]);
    const effects = planBatch(taps, cards, fare, 0);
    // The refused tap leaves the card alone, so the two rides still chain versions 1, 2.
    expect(effects.map((e) => [e.expectVersion, e.newBalanceFen, e.result.reason])).toEqual([
      [1, 800, 'OK'],
      [null, 800, 'LOCATION_NOT_ALLOWED'],
      [2, 600, 'OK'],
    ]);
  });
  it('chains the same way when told a card repeats (the ingest counts the tokens it loaded, 0243)', () => {
    const cards = new Map([
      [A, cardState({ token: A, version: 1, balanceFen: 1000 })],
      [B, cardState({ token: B, version: 7, balanceFen: 500 })],
    ]);
    const taps = [A, B, A].map((cardToken, i) => tapInput({ seq: i + 1, cardToken }));
    expect(planBatch(taps, cards, fare, 0, true)).toEqual(planBatch(taps, cards, fare, 0));
    // Distinct cards told so, or told they might repeat: the same effects either way.
    const distinct = [A, B].map((cardToken, i) => tapInput({ seq: i + 1, cardToken }));
    expect(planBatch(distinct, cards, fare, 0, false)).toEqual(planBatch(distinct, cards, fare, 0, true));
  });
  it("told wrongly that no card repeats, plans both taps of a card from one version (the commit's compare-and-set refuses the second)", () => {
    const cards = new Map([[A, cardState({ token: A, version: 4, balanceFen: 1000 })]]);
    const taps = [A, A].map((cardToken, i) => tapInput({ seq: i + 1, cardToken }));
    expect(planBatch(taps, cards, fare, 0, false).map((e) => e.expectVersion)).toEqual([4, 4]);
  });
  it('loads each card once', () => {
    expect(uniqueTokens([{ cardToken: A }, { cardToken: B }, { cardToken: A }])).toEqual([A, B]);
  });
  it("plans a visit device's taps as visits, money untouched, and rides as rides", () => {
    const cards = new Map([[A, cardState({ token: A, version: 1, balanceFen: 1000 })]]);
    const taps = [
      tapInput({
        seq: 1,
        cardToken: A,
        record: 'visit',
        direction: 'entry',
        edgeReason: 'TICKET_ADMITTED',
        entitlementId: 't1',
      }),
      tapInput({ seq: 2, cardToken: A }),
      tapInput({
        seq: 3,
        cardToken: A,
        record: 'visit',
        direction: 'entry',
        edgeReason: 'TICKET_ADMITTED',
        entitlementId: 't1',
      }),
    ];
    const effects = planBatch(taps, cards, fare, 0);
    expect(effects.map((e) => [e.record.kind, e.result.reason, e.expectVersion, e.newBalanceFen])).toEqual([
      ['visit', 'TICKET_ADMITTED', 1, 1000],
      ['ride', 'OK', 2, 800],
      ['visit', 'ENTITLEMENT_REUSED_OFFLINE', 3, 800],
    ]);
  });
});
