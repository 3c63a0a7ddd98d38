// Where a tap may say it happened (core/location.ts, docs/decisions/0161): device kind ×
// registration × reported location → allowed, or refused with the reason.
import { describe, expect, it } from 'vitest';
import { allowedRoutes, checkLocation, type LocationRegistration, planRefusal } from '../../core/location.js';
import { cardState, tapInput } from '../support/taps.js';

const none = { routeId: '', stationId: '', venueId: '' };
const bus: LocationRegistration = { ...none, routeId: '101' };
const busWithRoutes: LocationRegistration = { ...none, routeId: '101', routes: ['102', '101N'] };
const metro: LocationRegistration = { ...none, stationId: 'xizhimen' };
const museum: LocationRegistration = { ...none, venueId: 'capital-museum' };

type Row = [string, LocationRegistration, Partial<typeof none>, string | undefined];

const rows: Row[] = [
  ['bus validator on its registered route', bus, { routeId: '101' }, undefined],
  ['bus validator reporting another route (the attack)', bus, { routeId: 'bus-1' }, 'route "bus-1"'],
  ['bus validator reporting no route', bus, {}, 'route ""'],
  ['bus validator adding a station', bus, { routeId: '101', stationId: 'xizhimen' }, 'station "xizhimen"'],
  [
    'bus validator adding a venue',
    bus,
    { routeId: '101', venueId: 'capital-museum' },
    'venue "capital-museum"',
  ],
  ['bus validator with routes: the registered one', busWithRoutes, { routeId: '101' }, undefined],
  ['bus validator with routes: a listed one', busWithRoutes, { routeId: '101N' }, undefined],
  ['bus validator with routes: one not listed', busWithRoutes, { routeId: '103' }, 'route "103"'],
  ['metro gate at its station', metro, { stationId: 'xizhimen' }, undefined],
  ['metro gate reporting another station', metro, { stationId: 'guomao' }, 'station "guomao"'],
  ['metro gate reporting no station', metro, {}, 'station ""'],
  [
    'metro gate adding a route (priced on its network first)',
    metro,
    { stationId: 'xizhimen', routeId: '101' },
    'route "101"',
  ],
  ['venue gate at its venue', museum, { venueId: 'capital-museum' }, undefined],
  ['venue gate reporting another venue', museum, { venueId: 'palace' }, 'venue "palace"'],
  ['venue gate adding a route', museum, { venueId: 'capital-museum', routeId: '101' }, 'route "101"'],
];

describe('checking a tap location against the device registration', () => {
  it.each(rows)('%s', (_name, reg, reported, refused) => {
    const v = checkLocation(reg, { ...none, ...reported });
    if (refused === undefined) expect(v).toEqual({ ok: true });
    else {
      expect(v).toMatchObject({ ok: false, reason: 'LOCATION_NOT_ALLOWED' });
      expect(v.ok ? '' : v.detail).toContain(refused);
    }
  });

  it('names what the device may report in the refusal', () => {
    expect(checkLocation(busWithRoutes, { ...none, routeId: 'bus-1' })).toEqual({
      ok: false,
      reason: 'LOCATION_NOT_ALLOWED',
      detail: `route "bus-1" is not the device's (101, 102, 101N)`,
    });
    expect(checkLocation(metro, { ...none, stationId: 'xizhimen', routeId: 'r' })).toMatchObject({
      detail: `route "r" is not the device's (none registered)`,
    });
  });

  it('allows the registered route first, then the listed ones, each once', () => {
    expect(allowedRoutes(busWithRoutes)).toEqual(['101', '102', '101N']);
    expect(allowedRoutes({ ...bus, routes: ['101'] })).toEqual(['101']);
    expect(allowedRoutes(metro)).toEqual([]);
  });
});

describe('planning a refused tap', () => {
  it('records it with the refusal, charges nothing and leaves the card as it was', () => {
    const card = cardState({ fare: { open: { n: 'metro', s: 'a', t: 1, c: 0 } } });
    const tap = tapInput({ routeId: 'bus-1', refusal: 'LOCATION_NOT_ALLOWED' });
    const e = planRefusal(card, tap, 5);
    expect(e.result).toEqual({
      outcome: 'recorded',
      chargedFen: 0,
      balanceAfterFen: 1000,
      reason: 'LOCATION_NOT_ALLOWED',
    });
    expect(e.expectVersion).toBeNull();
    expect(e.newFare).toBe(card.fare);
    expect(e.record).toMatchObject({
      kind: 'ride',
      routeId: 'bus-1',
      amountFen: 0,
      lines: [],
      committedAt: 5,
    });
  });

  it('records a refused visit as a visit, with its entitlement', () => {
    const tap = tapInput({
      record: 'visit',
      venueId: 'palace',
      entitlementId: 't1',
      refusal: 'LOCATION_NOT_ALLOWED',
    });
    expect(planRefusal(cardState(), tap, 5).record).toMatchObject({
      kind: 'visit',
      entitlementId: 't1',
      reason: 'LOCATION_NOT_ALLOWED',
    });
  });
});
