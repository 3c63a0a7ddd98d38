// GTFS-Fares v2 import: a real published feed (Transcollines, test/fixtures/gtfs-fares-v2/) and
// small files written here for what that feed does not use (transfers, media, rider categories).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTariff } from '../../../../core/tariff/compile.js';
import { priceTap, type TariffTap } from '../../../../core/tariff/engine.js';
import { importGtfsFares, minorUnits } from '../../../../core/tariff/gtfs/import.js';
import type { TariffDoc } from '../../../../core/tariff/model.js';

function feed(name: string): Record<string, string> {
  const dir = new URL(`../../../fixtures/gtfs-fares-v2/${name}/`, import.meta.url);
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (f.endsWith('.txt')) files[f] = readFileSync(new URL(f, dir), 'utf8');
  return files;
}

function imported(files: Record<string, string>): { tariff: TariffDoc; notes: string[] } {
  const r = importGtfsFares(files, { id: 'test', name: 'test' });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r;
}

const T = Date.UTC(2025, 5, 2, 12, 0);
const tap = (direction: TariffTap['direction'], routeId: string, stopId: string, at = T): TariffTap => ({
  direction,
  operatorId: 'transcollines',
  routeId,
  stopId,
  stationId: '',
  credential: 'card',
  at,
});

describe('importing the Transcollines feed (real, published)', () => {
  const { tariff, notes } = imported(feed('transcollines'));
  const t = compileTariff(tariff);

  it('maps products, areas, networks from routes.txt, and leg rules', () => {
    expect(tariff.currency).toBe('CAD');
    expect(tariff.products).toEqual([
      { id: 'PS-500', name: 'PS-500', amountFen: 500 },
      { id: 'PS-2000', name: 'PS-2000', amountFen: 2000 },
      { id: 'PS-0', name: 'PS-0', amountFen: 0 },
    ]);
    expect(tariff.areas.map((a) => a.id)).toEqual(['GAT', 'COL', 'PNT']);
    expect(tariff.networks.map((n) => n.id).sort()).toEqual(['924', 'REG']);
    expect(tariff.routeNetworks).toContainEqual({ routeId: '910', networkId: 'REG' });
    expect(tariff.legRules).toHaveLength(8);
    expect(tariff.legRules[1]).toEqual({
      legGroupId: 'REG-GAT-PNT',
      networkId: 'REG',
      fromAreaId: 'GAT',
      toAreaId: 'PNT',
      fromTimeframeId: 'GT-2025',
      productId: 'PS-2000',
    });
  });

  it('says what did not map', () => {
    expect(notes).toContain('timeframe GT-2025: service_id FARES-GT-2025-1 not imported (applies every day)');
    expect(notes).toContain('timeframe 924-REG: service_id FARES-924-REG-3 not imported (applies every day)');
    expect(tariff.timeframes.filter((tf) => tf.id === '924-REG')).toHaveLength(3);
    expect(notes).toContain(
      'network REG: fares depend on the alighting area, so riders tap out (tapOut 240/1440 min)',
    );
  });

  it.each([
    ['Gatineau to Pontiac', 'F912-01', 'F111-01', 2000],
    ['Pontiac to Gatineau', 'F111-02', 'F912-05', 2000],
    ['Collines to Collines', 'F101-01', 'F101-02', 500],
    ['Gatineau to Collines', 'F401-10', 'F401-11', 500],
  ])('prices a ride on route 910 from %s by area pair', (_what, from, to, cents) => {
    const entry = priceTap(t, 0, {}, tap('entry', '910', from));
    const exit = priceTap(t, 0, entry.state, tap('exit', '910', to, T + 3600_000));
    expect(exit).toMatchObject({ chargeFen: cents, reason: 'OK' });
  });

  it('finds no rule for a ride within Gatineau (the feed prices none) and charges nothing', () => {
    const entry = priceTap(t, 0, {}, tap('entry', '910', 'F912-01'));
    const exit = priceTap(t, 0, entry.state, tap('exit', '910', 'F912-05', T + 600_000));
    expect(exit).toMatchObject({ chargeFen: 0, reason: 'TARIFF_NO_FARE_RULE' });
  });

  it('charges the highest area-pair fare from the boarding stop for a missing tap-out', () => {
    const entry = priceTap(t, 0, {}, tap('entry', '910', 'F912-01'));
    const next = priceTap(t, 0, entry.state, tap('entry', '910', 'F101-01', T + 5 * 3600_000));
    expect(next).toMatchObject({ chargeFen: 2000, reason: 'TARIFF_MISSING_TAP_OUT' });
  });
});

describe('importing transfer rules, media and rider categories (files written for this test)', () => {
  const files = {
    'networks.txt': 'network_id,network_name\nbus,Bus\nrail,Rail\n',
    'route_networks.txt': 'network_id,route_id\nbus,B1\nrail,R1\n',
    'fare_media.txt':
      'fare_media_id,fare_media_name,fare_media_type\ncash,Cash,0\ncard,"Transit card, stored value",2\napp,App,4\n',
    'rider_categories.txt':
      'rider_category_id,rider_category_name,is_default_fare_category\nadult,Adult,1\nsenior,Senior,0\n',
    'fare_products.txt':
      'fare_product_id,fare_product_name,fare_media_id,rider_category_id,amount,currency\nbus_fare,Bus,card,,1.5,CNY\nbus_fare,Bus,,,2.00,CNY\nrail_fare,Rail,,,4,CNY\nrail_fare,Rail,,senior,0.00,CNY\nab_off,1 yuan off,,,-1.00,CNY\n',
    'fare_leg_rules.txt': 'leg_group_id,network_id,fare_product_id\nbus,bus,bus_fare\nrail,rail,rail_fare\n',
    'fare_transfer_rules.txt':
      'from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id\nbus,rail,,5400,1,1,ab_off\nbus,bus,-1,3630,0,0,\n',
  };

  it('maps transfer types, duration limits (seconds to minutes) and counts', () => {
    const { tariff, notes } = imported(files);
    expect(tariff.transferRules).toEqual([
      {
        type: 'a_ab_b',
        fromLegGroupId: 'bus',
        toLegGroupId: 'rail',
        productId: 'ab_off',
        durationLimitMin: 90,
        durationLimitType: 'dep_dep',
      },
      {
        type: 'a_ab',
        fromLegGroupId: 'bus',
        toLegGroupId: 'bus',
        transferCount: -1,
        durationLimitMin: 61,
        durationLimitType: 'dep_arr',
      },
    ]);
    expect(notes).toContain('fare_transfer_rules.txt:3: duration_limit 3630 s rounded up to 61 min');
  });

  it('keeps the cash price per product and notes the per-medium and per-category prices', () => {
    const { tariff, notes } = imported(files);
    expect(tariff.products.map((p) => [p.id, p.amountFen])).toEqual([
      ['bus_fare', 200],
      ['rail_fare', 400],
      ['ab_off', -100],
    ]);
    expect(notes).toContain(
      "bus_fare: price 150 for medium 'card' / rider category '' not mapped (the tariff keeps one cash price per product)",
    );
    expect(notes).toContain(
      'rider category senior: not mapped (GTFS has no eligibility rule; map it to card flags by hand)',
    );
  });

  it('maps the transit card and the app medium, noting cash', () => {
    const { tariff, notes } = imported(files);
    expect(tariff.media).toEqual([
      { id: 'card', name: 'Transit card, stored value', type: 'physical_card' },
      { id: 'qr', name: 'App', type: 'ecard_qr' },
    ]);
    expect(notes).toContain(
      'fare_media cash (type 0): not mapped (only one transit card and one app medium)',
    );
  });

  it('prices a bus-then-rail journey with the imported a_ab_b transfer', () => {
    const t = compileTariff(imported(files).tariff);
    const b = priceTap(t, 0, {}, { ...tap('board', 'B1', 's1'), operatorId: 'x' });
    const r = priceTap(t, 0, b.state, { ...tap('board', 'R1', 's2', T + 1800_000), operatorId: 'x' });
    expect([b.chargeFen, r.chargeFen, r.reason]).toEqual([200, 300, 'TARIFF_TRANSFER']);
  });
});

describe('import errors', () => {
  it('lists every problem with its file and line', () => {
    const r = importGtfsFares(
      {
        'fare_products.txt': 'fare_product_id,amount,currency\np1,2.005,CNY\n,1.00,CNY\np3,1.00,USD\n',
        'fare_transfer_rules.txt': 'from_leg_group_id,fare_transfer_type\nx,7\n',
      },
      { id: 'bad', name: 'bad' },
    );
    expect(r).toEqual({
      ok: false,
      errors: [
        "fare_products.txt:2: amount '2.005' is not a 2-decimal amount",
        'fare_products.txt:3: fare_product_id is empty',
        'fare_products.txt:4: currency USD differs from CNY',
        'fare_leg_rules.txt: missing (required for a fares v2 import)',
        'fare_transfer_rules.txt:2: fare_transfer_type must be 0, 1 or 2',
      ],
    });
  });

  it('reports references that do not resolve after the import', () => {
    const r = importGtfsFares(
      {
        'fare_products.txt': 'fare_product_id,amount,currency\np,1.00,CNY\n',
        'fare_leg_rules.txt': 'leg_group_id,fare_product_id\ng,gone\n',
      },
      { id: 'bad', name: 'bad' },
    );
    expect(r).toEqual({ ok: false, errors: ["after import: legRules[0].productId: unknown product 'gone'"] });
  });

  it.each([
    ['2.75', 275],
    ['4', 400],
    ['0.5', 50],
    ['-1.00', -100],
    ['1e3', undefined],
    ['1.234', undefined],
  ])('reads amount %s as %s minor units, without floats', (text, units) => {
    expect(minorUnits(text)).toBe(units);
  });
});
