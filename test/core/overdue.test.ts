// Planning the sweep's charge for an entry no tap closed (docs/decisions/0113): one adjustment
// record with a key derived from the card and the entry, under the card's compare-and-set.
import { describe, expect, it } from 'vitest';
import { unknownCard } from '../../core/card.js';
import { planOverdue, sweepRecordId } from '../../core/overdue.js';
import { cardState } from '../support/taps.js';
import { beijingDoc, compile, MIN, MON } from './tariff/support.js';

const bj = compile(beijingDoc());
const AM8 = MON + 8 * 60 * MIN;
const NOW = AM8 + 6 * 60 * MIN;
const open = { open: { n: 'bj-metro', s: 'bj-pingguoyuan', t: AM8, c: 0 } };

describe('planning a missing tap-out', () => {
  it('charges the card as an adjustment record, keyed by card and entry time, under its version', () => {
    const card = cardState({ fare: open, balanceFen: 1000, version: 7 });
    const e = planOverdue(card, bj, NOW)!;
    const id = `sweep:${card.token}:${AM8}`;
    expect(sweepRecordId(card.token, AM8)).toBe(id);
    expect(e).toMatchObject({
      dedupeKey: id,
      cardToken: card.token,
      expectVersion: 7,
      newBalanceFen: 300,
      newFare: { unf: { n: 'bj-metro', s: 'bj-pingguoyuan', t: AM8, c: 700 } },
      result: { outcome: 'charged', chargedFen: 700, balanceAfterFen: 300, reason: 'TARIFF_MISSING_TAP_OUT' },
    });
    expect(e.record).toMatchObject({
      id,
      kind: 'adjustment',
      cardMasked: 'A12****78',
      operatorId: 'bj-metro',
      deviceId: '',
      seq: 0,
      stationId: 'bj-pingguoyuan',
      direction: '',
      at: AM8 + 240 * MIN,
      committedAt: NOW,
      baseFen: 700,
      chargedFen: 700,
      amountFen: -700,
      balanceAfterFen: 300,
      reason: 'TARIFF_MISSING_TAP_OUT',
    });
    expect(e.record.lines.map((l) => l.kind)).toEqual(['missing_tap_out']);
  });

  it('plans the same key and charge in two sweeps at different times', () => {
    const card = cardState({ fare: open });
    const a = planOverdue(card, bj, NOW)!;
    const b = planOverdue(card, bj, NOW + 60 * MIN)!;
    expect({ ...b, record: { ...b.record, committedAt: 0 } }).toEqual({
      ...a,
      record: { ...a.record, committedAt: 0 },
    });
  });

  it('charges a card into a negative balance (the rider travelled)', () => {
    const e = planOverdue(cardState({ fare: open, balanceFen: 100 }), bj, NOW)!;
    expect(e.result).toMatchObject({ chargedFen: 700, balanceAfterFen: -600 });
  });

  it.each([
    ['before the limit', cardState({ fare: open }), AM8 + 239 * MIN],
    ['a card with no open entry', cardState(), NOW],
    ['a card this gateway never issued', { ...unknownCard('bb'.repeat(16)), fare: open }, NOW],
  ])('plans nothing %s', (_, card, now) => {
    expect(planOverdue(card, bj, now)).toBeUndefined();
  });
});
