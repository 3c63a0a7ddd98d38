import { describe, expect, it } from 'vitest';
import { ConcessionFlag, unknownCard } from '../../core/card.js';
import { chain, planTap, planTopUp, recordWithoutTap, tapRecordId } from '../../core/ledger.js';
import { flatPricer, tariffPricer } from '../../core/pricing.js';
import { flatFare } from '../../core/tariff/flat.js';
import { cardState, tapInput } from '../support/taps.js';
import { beijingDoc, compile } from './tariff/support.js';

const fare = flatPricer(flatFare({ busFlatFen: 200, metroFlatFen: 300 }));
const NOW = Date.UTC(2026, 10, 23, 8, 0, 5);

describe('planning a tap', () => {
  it.each([
    [
      'a bus ride charges the fare',
      cardState(),
      tapInput(),
      { outcome: 'charged', chargedFen: 200, balanceAfterFen: 800, reason: 'OK' },
      3,
    ],
    [
      'a metro entry charges nothing and says so',
      cardState(),
      tapInput({ direction: 'entry' }),
      { outcome: 'charged', chargedFen: 0, balanceAfterFen: 1000, reason: 'ENTRY_RECORDED' },
      3,
    ],
    [
      'a metro exit charges the metro fare',
      cardState(),
      tapInput({ direction: 'exit' }),
      { outcome: 'charged', chargedFen: 300, balanceAfterFen: 700, reason: 'OK' },
      3,
    ],
    [
      'a senior rides free',
      cardState({ flags: ConcessionFlag.SENIOR }),
      tapInput(),
      { outcome: 'charged', chargedFen: 0, balanceAfterFen: 1000, reason: 'CONCESSION_FREE' },
      3,
    ],
    [
      'a student pays half',
      cardState({ flags: ConcessionFlag.STUDENT }),
      tapInput(),
      { outcome: 'charged', chargedFen: 100, balanceAfterFen: 900, reason: 'OK' },
      3,
    ],
    [
      'a ride the device denied is recorded, not charged',
      cardState(),
      tapInput({ edgeDecision: 'deny', edgeReason: 'CARD_LOST' }),
      { outcome: 'recorded', chargedFen: 0, balanceAfterFen: 1000, reason: 'CARD_LOST' },
      null,
    ],
    [
      'an unknown card is recorded, not charged',
      unknownCard('bb'.repeat(16)),
      tapInput({ cardToken: 'bb'.repeat(16) }),
      { outcome: 'recorded', chargedFen: 0, balanceAfterFen: 0, reason: 'UNKNOWN_CARD' },
      null,
    ],
    [
      'an offline ride that overdraws is still charged, and flagged',
      cardState({ balanceFen: 100 }),
      tapInput({ offline: true }),
      { outcome: 'charged', chargedFen: 200, balanceAfterFen: -100, reason: 'CHARGED_INTO_NEGATIVE' },
      3,
    ],
    [
      'a ride let through before the lost report arrived is charged, and flagged',
      cardState({ status: 'lost' }),
      tapInput(),
      { outcome: 'charged', chargedFen: 200, balanceAfterFen: 800, reason: 'LOST_AFTER_THE_FACT' },
      3,
    ],
  ] as const)('%s', (_name, card, tap, result, expectVersion) => {
    const effect = planTap(card, tap, fare, NOW);
    expect(effect.result).toEqual(result);
    expect(effect.expectVersion).toBe(expectVersion);
    expect(effect.dedupeKey).toBe(`tap:${tap.deviceId}:${tap.seq}`);
    expect(effect.record.id).toBe(effect.dedupeKey);
    expect(effect.record.amountFen).toBe(0 - result.chargedFen);
    expect(effect.record.balanceAfterFen).toBe(result.balanceAfterFen);
    expect(effect.record.committedAt).toBe(NOW);
    expect(effect.record.at).toBe(tap.deviceTimeMs);
  });

  it('explains the charge: base fare, concession and amount', () => {
    const r = planTap(cardState({ flags: ConcessionFlag.STUDENT }), tapInput(), fare, NOW).record;
    expect(r).toMatchObject({ baseFen: 200, concession: 'student_half', chargedFen: 100, amountFen: -100 });
    expect(r.lines).toEqual([
      { kind: 'base', fen: 200, note: 'flat fare' },
      { kind: 'concession', fen: -100, note: 'student_half' },
    ]);
  });

  it('writes the fare state the pricer leaves into the effect, for the same compare-and-set', () => {
    const next = { open: { n: 'm', s: 'a', t: 1, c: 0 } };
    const effect = planTap(
      cardState(),
      tapInput(),
      () => ({
        chargeFen: 0,
        baseFen: 0,
        concession: 'none',
        lines: [],
        fare: next,
        reason: 'ENTRY_RECORDED',
      }),
      NOW,
    );
    expect(effect).toMatchObject({ expectVersion: 3, newFare: next, result: { reason: 'ENTRY_RECORDED' } });
    expect(chain(cardState(), () => effect).next.fare).toBe(next);
  });

  it('leaves the fare state alone for a tap it does not charge (denied at the device)', () => {
    const card = cardState({ fare: { open: { n: 'm', s: 'a', t: 1, c: 0 } } });
    const effect = planTap(card, tapInput({ edgeDecision: 'deny', edgeReason: 'CARD_LOST' }), fare, NOW);
    expect(effect).toMatchObject({ expectVersion: null, newFare: card.fare, record: { lines: [] } });
  });

  it('never charges a silent 0 where the tariff prices nothing: recorded, not priced (0161)', () => {
    const beijing = tariffPricer(compile(beijingDoc()));
    // A route and an operator no network of the tariff knows.
    const e = planTap(cardState(), tapInput({ operatorId: 'nobody', routeId: 'nowhere' }), beijing, NOW);
    expect(e.result).toEqual({
      outcome: 'recorded',
      chargedFen: 0,
      balanceAfterFen: 1000,
      reason: 'LOCATION_NOT_PRICED',
    });
    expect(e.record).toMatchObject({ routeId: 'nowhere', chargedFen: 0, amountFen: 0, lines: [] });
  });

  it('moves the journey on for a tap not priced: an exit still closes its entry', () => {
    const entry = { n: 'bj-metro', s: 'bj-xizhimen', t: NOW - 600_000, c: 0 };
    const card = cardState({ fare: { open: entry } });
    const exit = tapInput({
      operatorId: 'bj-metro',
      routeId: '',
      stationId: 'bj-nowhere',
      direction: 'exit',
    });
    const e = planTap(card, exit, tariffPricer(compile(beijingDoc())), NOW);
    expect(e).toMatchObject({ expectVersion: 3, result: { reason: 'LOCATION_NOT_PRICED', chargedFen: 0 } });
    expect(e.newFare.open).toBeUndefined();
  });

  // The record is stored and sent as JSON in this field order (docs/decisions/0205): a record
  // built as one literal must write the same bytes the spread-built record wrote before.
  it.each([
    ['charged', tapInput()],
    ['denied at the device', tapInput({ edgeDecision: 'deny', edgeReason: 'CARD_LOST' })],
    ['not priced', tapInput({ operatorId: 'nobody', routeId: 'nowhere' })],
  ])('writes a ride record (%s) with the stored field order', (_, tap) => {
    const price = tap.operatorId === 'nobody' ? tariffPricer(compile(beijingDoc())) : fare;
    expect(Object.keys(planTap(cardState(), tap, price, NOW).record)).toEqual([
      'id',
      'kind',
      'cardToken',
      'cardMasked',
      'operatorId',
      'deviceId',
      'seq',
      'routeId',
      'stopId',
      'stationId',
      'venueId',
      'direction',
      'credential',
      'at',
      'committedAt',
      'edgeDecision',
      'edgeReason',
      'offline',
      'concession',
      'baseFen',
      'amountFen',
      'lines',
      'subsidyFen',
      'outcome',
      'chargedFen',
      'balanceAfterFen',
      'reason',
    ]);
  });

  it('keeps only the token and the masked number of the card', () => {
    const r = planTap(cardState(), tapInput(), fare, NOW).record;
    expect(r.cardToken).toBe('aa'.repeat(16));
    expect(r.cardMasked).toBe('A12****78');
  });
});

describe("a tap's record id", () => {
  // In this order on purpose: the id of a tap on another device, epoch or none follows one on
  // the same device (the prefix is kept from one id to the next, 0240).
  it.each([
    [{ deviceId: 'bus-7', epoch: '9f3a1c0de4b27a51', seq: 12 }, 'tap:bus-7:9f3a1c0de4b27a51:12'],
    [{ deviceId: 'bus-7', epoch: '9f3a1c0de4b27a51', seq: 13 }, 'tap:bus-7:9f3a1c0de4b27a51:13'],
    [{ deviceId: 'bus-7', epoch: '0000000000000001', seq: 13 }, 'tap:bus-7:0000000000000001:13'],
    [{ deviceId: 'bus-8', epoch: '0000000000000001', seq: 13 }, 'tap:bus-8:0000000000000001:13'],
    [{ deviceId: 'bus-8', epoch: '', seq: 13 }, 'tap:bus-8:13'],
    [{ deviceId: 'bus-8', epoch: '', seq: 0 }, 'tap:bus-8:0'],
    [{ deviceId: 'bus-7', epoch: '', seq: 14 }, 'tap:bus-7:14'],
    [{ deviceId: 'bus-7', epoch: '9f3a1c0de4b27a51', seq: 14 }, 'tap:bus-7:9f3a1c0de4b27a51:14'],
  ])('%j is %s', (tap, id) => {
    expect(tapRecordId(tap)).toBe(id);
  });
});

describe('planning a top-up', () => {
  it('adds the amount and is keyed by the request id', () => {
    const e = planTopUp(cardState(), { requestId: 'req-00000001', amountFen: 5000, channel: 'counter' }, NOW);
    expect(e.dedupeKey).toBe('topup:req-00000001');
    expect(e.newBalanceFen).toBe(6000);
    expect(e.expectVersion).toBe(3);
    expect(e.record).toMatchObject({ kind: 'topup', amountFen: 5000, balanceAfterFen: 6000, at: NOW });
  });
});

describe('a record without a tap', () => {
  it('names the card and who made it, and leaves every field of a tap blank', () => {
    const card = cardState();
    const at = NOW - 60_000;
    expect(
      recordWithoutTap({ id: 'topup:r1', kind: 'topup', card, operatorId: 'counter', at, now: NOW }),
    ).toEqual({
      id: 'topup:r1',
      kind: 'topup',
      cardToken: card.token,
      cardMasked: card.masked,
      operatorId: 'counter',
      deviceId: '',
      seq: 0,
      routeId: '',
      stopId: '',
      stationId: '',
      venueId: '',
      direction: '',
      credential: '',
      at,
      committedAt: NOW,
      edgeDecision: '',
      edgeReason: '',
      offline: false,
    });
  });
});

describe('chaining effects on one card', () => {
  it('plans each from the state the previous leaves, versions in a run', () => {
    const first = chain(cardState(), (c) => planTap(c, tapInput({ seq: 1 }), fare, NOW));
    const second = chain(first.next, (c) => planTap(c, tapInput({ seq: 2 }), fare, NOW));
    expect([first.effect.expectVersion, second.effect.expectVersion]).toEqual([3, 4]);
    expect([first.effect.newBalanceFen, second.effect.newBalanceFen]).toEqual([800, 600]);
  });
  it('does not advance the version for an effect that leaves the card untouched', () => {
    const denied = chain(cardState(), (c) =>
      planTap(c, tapInput({ edgeDecision: 'deny', edgeReason: 'CARD_LOST' }), fare, NOW),
    );
    expect(denied.next.version).toBe(3);
  });
});
