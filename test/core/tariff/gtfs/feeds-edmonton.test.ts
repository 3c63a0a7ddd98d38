// Edmonton Transit Service and six neighbouring agencies (test/fixtures/gtfs-fares-v2/edmonton/
// SOURCE.md): zone pairs naming no network, one product per medium for the same legs (Arc card,
// cash, bank card), and transfers of types 0 and 2 within 90 minutes. Fares are the feed's Arc
// (transit card, medium type 2) prices in cents.
import { describe, expect, it } from 'vitest';
import { feed, imported, journey, ride } from './support.js';

const { tariff, warnings, notes, t } = imported(feed('edmonton'));
// 2026-03-04, a Wednesday, 08:00 in Edmonton (MST, UTC-7).
const at = Date.UTC(2026, 2, 4, 15, 0);
const stop = {
  EDM: '1001',
  EDM2: '1002',
  AIR: '9479',
  STA: 'A0001',
  STA2: 'A0002',
  SCT: 'S1001',
  SCT2: 'S1002',
  SGT: '8040',
  SGT2: '8048',
  FST: 'F1001',
  FST2: 'F1002',
  BT: 'B0001',
  LT: 'L0100',
  LT2: 'L0101',
};

describe('Edmonton: importing one product per medium for the same legs', () => {
  it('charges the card its Arc products; the cash and bank-card rows are left out, noted, not warned', () => {
    expect(warnings).toEqual([]);
    expect(tariff.media.map((m) => m.id)).toEqual(['card']);
    expect(tariff.legRules).toHaveLength(21);
    expect(
      tariff.legRules.every((r) => tariff.products.find((p) => p.id === r.productId)?.name.includes('Arc')),
    ).toBe(true);
    expect(tariff.transferRules).toHaveLength(33);
    expect(notes).toContain(
      'fare_media.txt:4: fare_media cEMV (type 3, contactless bank card (cEMV)): kept out; no card or e-card tap pays with it, so its prices are not charged',
    );
  });
});

describe('Edmonton: single rides with the Arc card', () => {
  it.each([
    ['Edmonton → Edmonton', stop.EDM, stop.EDM2, 300],
    ['Edmonton → Airport', stop.EDM, stop.AIR, 600],
    ['Airport → Edmonton', stop.AIR, stop.EDM, 600],
    ['St. Albert local', stop.STA, stop.STA2, 250],
    ['St. Albert → Edmonton', stop.STA, stop.EDM, 425],
    ['Edmonton → St. Albert', stop.EDM, stop.STA, 425],
    ['Strathcona local', stop.SCT, stop.SCT2, 275],
    ['Strathcona → Edmonton', stop.SCT, stop.EDM, 500],
    ['Spruce Grove local', stop.SGT, stop.SGT2, 300],
    ['Edmonton → Spruce Grove', stop.EDM, stop.SGT, 560],
    ['Fort Saskatchewan local', stop.FST, stop.FST2, 300],
    ['Fort Saskatchewan → Strathcona', stop.FST, stop.SCT, 500],
    ['Beaumont local', stop.BT, stop.BT, 500],
    ['Leduc local', stop.LT, stop.LT2, 200],
    ['Leduc → Edmonton', stop.LT, stop.EDM, 500],
  ])('%s (%s → %s) = %i cents', (_what, from, to, cents) => {
    expect(ride(t, '1', from, to, at)).toMatchObject({ chargeFen: cents, reason: 'OK' });
  });

  it('prices no ride the feed has no zone pair for (Edmonton → Fort Saskatchewan)', () => {
    expect(ride(t, '1', stop.EDM, stop.FST, at)).toMatchObject({
      chargeFen: 0,
      reason: 'TARIFF_NO_FARE_RULE',
    });
  });
});

describe('Edmonton: transfers within 90 minutes', () => {
  const leg = (from: string, to: string, startMin: number, minutes = 25) => ({
    route: '1',
    from,
    to,
    at: at + startMin * 60_000,
    minutes,
  });

  it('an Edmonton ride after an Edmonton ride is free (type 0, no product), any number of times', () => {
    expect(
      journey(t, [leg(stop.EDM, stop.EDM2, 0), leg(stop.EDM2, stop.EDM, 30), leg(stop.EDM, stop.EDM2, 60)]),
    ).toEqual([300, 0, 0]);
  });

  it('is charged again once the 90 minutes from the first boarding have passed at the arrival', () => {
    expect(journey(t, [leg(stop.EDM, stop.EDM2, 0), leg(stop.EDM2, stop.EDM, 70, 25)])).toEqual([300, 300]);
  });

  it('St. Albert local then St. Albert → Edmonton costs the commuter fare in all (type 2: 425)', () => {
    expect(journey(t, [leg(stop.STA2, stop.STA, 0), leg(stop.STA, stop.EDM, 30)])).toEqual([250, 175]);
  });

  it('Edmonton then St. Albert → Edmonton costs the commuter fare in all (type 2: 425)', () => {
    expect(journey(t, [leg(stop.EDM2, stop.EDM, 0), leg(stop.STA, stop.EDM, 30)])).toEqual([300, 125]);
  });

  it('Edmonton then the airport: the airport leg is free (type 0, no product)', () => {
    expect(journey(t, [leg(stop.EDM2, stop.EDM, 0), leg(stop.EDM, stop.AIR, 30)])).toEqual([300, 0]);
  });
});
