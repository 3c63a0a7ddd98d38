// Real published GTFS-Fares v2 feeds (test/fixtures/gtfs-fares-v2/<name>/SOURCE.md), imported and
// priced by the tariff engine: each table row is a journey and the fare the feed's own files
// give, in the currency's minor unit.
import { describe, expect, it } from 'vitest';
import { feed, imported, ride } from './support.js';

describe('Komunikacja Gminna Zakroczym: zone fares, no network named anywhere', () => {
  const { tariff, warnings, notes, t } = imported(feed('zakroczym'));
  // 2025-11-17, a Monday, 08:00 in Warsaw.
  const at = Date.UTC(2025, 10, 17, 7, 0);

  it('puts every route in a catch-all network that the empty network_id rules apply to', () => {
    expect(tariff.networks).toEqual([
      {
        id: 'any-route',
        name: 'Routes of no other network (empty network_id)',
        catchAll: true,
        tapOut: { missingAfterMin: 240, correctWithinMin: 1440 },
      },
    ]);
    expect(tariff.legRules).toHaveLength(9);
    expect(tariff.legRules.every((r) => r.networkId === undefined)).toBe(true);
    expect(tariff.timezone).toBe('Europe/Warsaw');
  });

  it('warns that the single fares are sold for cash only, and leaves the unused passes out', () => {
    expect(warnings).toHaveLength(6);
    expect(warnings[3]).toBe(
      'fare_products.txt:5: product single_ride_zones12_normal: priced only on medium 0, which no card tap uses; card taps would be charged its price 400',
    );
    expect(notes).toContain(
      'fare_products.txt: products no leg or transfer rule uses, left out: monthly_normal, monthly_discount',
    );
  });

  it.each([
    ['Zakroczym → Zakroczym', 'Z1', '100', '102', 0],
    ['Zakroczym → Modlin-Twierdza', 'Z1', '100', '117', 400],
    ['Modlin-Twierdza → Zakroczym', 'Z2', '118', '101', 400],
    ['Zakroczym → Nowy Dwór Mazowiecki', 'Z3', '101', '120', 500],
    ['Nowy Dwór Mazowiecki → Zakroczym', 'Z3', '122', '100', 500],
    ['Modlin-Twierdza → Nowy Dwór Mazowiecki', 'Z1', '117-2', '121', 400],
    ['Nowy Dwór Mazowiecki → Nowy Dwór Mazowiecki', 'Z1', '120', '122', 0],
  ])('%s on route %s costs %s→%s = %i grosze', (_what, route, from, to, grosze) => {
    expect(ride(t, route, from, to, at)).toMatchObject({ chargeFen: grosze, reason: 'OK' });
  });

  it('prices a route the excerpt of routes.txt does not list (its network is the catch-all)', () => {
    expect(ride(t, 'Z9', '100', '120', at)).toMatchObject({ chargeFen: 500, reason: 'OK' });
  });
});

describe('Transcollines: area pairs, timeframes bound to a calendar, America/Montreal', () => {
  const { tariff, warnings, t } = imported(feed('transcollines'));
  // 2025-06-02 08:00 in Gatineau (EDT, UTC-4), inside FARES-GT-2025-1 (2025-04-07 … 2025-12-30).
  const at = Date.UTC(2025, 5, 2, 12, 0);

  it('keeps the timeframe the rules use with its dates, and the agency timezone', () => {
    expect(warnings).toEqual([]);
    expect(tariff.timezone).toBe('America/Montreal');
    expect(tariff.timeframes).toEqual([
      { id: 'GT-2025', startMin: 0, endMin: 1440, fromDate: '2025-04-07', toDate: '2025-12-30' },
    ]);
  });

  it.each([
    ['Gatineau → Pontiac', 'F912-01', 'F111-01', 2000],
    ['Pontiac → Gatineau', 'F111-02', 'F912-05', 2000],
    ['Collines → Collines', 'F101-01', 'F101-02', 500],
    ['Gatineau → Collines', 'F401-10', 'F401-11', 500],
    ['Pontiac → Pontiac', 'F101-60', 'F111-01', 500],
  ])('%s on route 910 (%s→%s) = %i cents', (_what, from, to, cents) => {
    expect(ride(t, '910', from, to, at, 60)).toMatchObject({ chargeFen: cents, reason: 'OK' });
  });

  it('prices no ride after the calendar of the fares ends (2026-01-15)', () => {
    const r = ride(t, '910', 'F912-01', 'F111-01', Date.UTC(2026, 0, 15, 13, 0));
    expect(r).toMatchObject({ chargeFen: 0, reason: 'TARIFF_NO_FARE_RULE' });
  });

  it('reads the calendar day in Gatineau: 2025-12-30 23:30 local is still in, 2025-12-31 00:30 is not', () => {
    const lastEvening = Date.UTC(2025, 11, 31, 4, 30);
    expect(ride(t, '910', 'F101-01', 'F101-02', lastEvening, 10).chargeFen).toBe(500);
    expect(ride(t, '910', 'F101-01', 'F101-02', lastEvening + 3600_000, 10).reason).toBe(
      'TARIFF_NO_FARE_RULE',
    );
  });

  it('finds no rule for a ride within Gatineau (the feed prices none) and charges nothing', () => {
    expect(ride(t, '910', 'F912-01', 'F912-05', at, 10)).toMatchObject({
      chargeFen: 0,
      reason: 'TARIFF_NO_FARE_RULE',
    });
  });
});
