// What the importer cannot express is an error with file, line and rule; what would charge
// differently from the feed is a warning the operator must accept (docs/decisions/0112).
import { describe, expect, it } from 'vitest';
import { priceTap } from '../../../../core/tariff/engine.js';
import { importGtfsFares, minorUnits } from '../../../../core/tariff/gtfs/import.js';
import { errorsOf, imported, ride, tap } from './support.js';

const T = Date.UTC(2025, 5, 2, 12, 0);
const legs = 'leg_group_id,network_id,fare_product_id\nbus,bus,bus_fare\nrail,rail,rail_fare\n';
const base = {
  'networks.txt': 'network_id,network_name\nbus,Bus\nrail,Rail\n',
  'route_networks.txt': 'network_id,route_id\nbus,B1\nrail,R1\n',
  'fare_media.txt':
    'fare_media_id,fare_media_name,fare_media_type\ncash,Cash,0\ncard,"Transit card, stored value",2\napp,App,4\n',
  'rider_categories.txt':
    'rider_category_id,rider_category_name,is_default_fare_category\nadult,Adult,1\nsenior,Senior,0\n',
  'fare_products.txt':
    'fare_product_id,fare_product_name,fare_media_id,rider_category_id,amount,currency\nbus_fare,Bus,card,,1.50,CNY\nbus_fare,Bus,,,1.50,CNY\nbus_fare,Bus,cash,,2.00,CNY\nrail_fare,Rail,,adult,4,CNY\nab_off,1 yuan off,,,-1.00,CNY\n',
  'fare_leg_rules.txt': legs,
};

describe('accepted with notes: what changes no fare', () => {
  it('keeps the card and app media, notes cash, and charges the card price', () => {
    const { tariff, warnings, notes, t } = imported(base);
    expect(warnings).toEqual([]);
    expect(tariff.media.map((m) => [m.id, m.name])).toEqual([
      ['card', 'Transit card, stored value'],
      ['qr', 'App'],
    ]);
    expect(notes).toContain(
      'fare_media.txt:2: fare_media cash (type 0, none (cash or paid on board)): kept out; no card or e-card tap pays with it, so its prices are not charged',
    );
    expect(notes).toContain(
      'fare_products.txt:4: product bus_fare: price 200 on medium cash not charged (no card tap uses that medium)',
    );
    expect(ride(t, 'B1', 's', undefined, T).chargeFen).toBe(150);
  });
});

describe('prices per medium', () => {
  it('an e-card QR tap pays the app price where the feed gives one, the card its own', () => {
    const { tariff, t } = imported({
      ...base,
      'fare_products.txt': `${base['fare_products.txt']}bus_fare,Bus,app,,1.20,CNY\n`,
    });
    expect(tariff.products[0]).toEqual({ id: 'bus_fare', name: 'Bus', amountFen: 150, qrFen: 120 });
    const qr = priceTap(t, 0, {}, { ...tap('board', 'B1', 's', T), credential: 'qr' });
    expect([ride(t, 'B1', 's', undefined, T).chargeFen, qr.chargeFen]).toEqual([150, 120]);
  });
});

describe('warnings: the operator accepts them or nothing is written', () => {
  it('two rules for the same legs with different products, and a duration limit in seconds', () => {
    const { warnings } = imported({
      ...base,
      'fare_leg_rules.txt': `${legs}bus2,bus,rail_fare\n`,
      'fare_transfer_rules.txt':
        'from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id\nbus,rail,,3630,0,1,ab_off\n',
    });
    expect(warnings).toEqual([
      'fare_leg_rules.txt:4: leg rule bus2 matches the same legs as line 2 with another product (rail_fare, not bus_fare); GTFS lets the rider choose, a card tap is charged the first (bus_fare)',
      'fare_transfer_rules.txt:2: duration_limit 3630 s rounded up to 61 min (the tariff counts whole minutes)',
    ]);
  });
});

describe('errors: file, line and rule; nothing imported', () => {
  it('joined legs, transfer filters and unknown references', () => {
    expect(
      errorsOf({
        ...base,
        'fare_leg_rules.txt': `${legs}x,bus,gone\n`,
        'fare_leg_join_rules.txt': 'from_network_id,to_network_id\nrail,rail\n',
        'fare_transfer_rules.txt':
          'from_leg_group_id,fare_transfer_type,filter_fare_product_id\nbus,0,bus_fare\n',
      }),
    ).toEqual([
      'fare_leg_join_rules.txt:2: joined legs (effective fare legs) are not supported: each tap is priced as its own leg',
      "fare_leg_rules.txt:4: fare_product_id 'gone' is not in fare_products.txt",
      "fare_transfer_rules.txt:2: filter_fare_product_id 'bus_fare' is not supported: the transfer would be priced differently (docs/tariffs.md)",
    ]);
  });

  it("a value in a column the reference does not have for the file (a feed's own extension)", () => {
    expect(
      errorsOf({
        ...base,
        'fare_leg_rules.txt': 'network_id,fare_product_id,transfer_only\nbus,bus_fare,\nrail,rail_fare,1\n',
      }),
    ).toEqual([
      "fare_leg_rules.txt:3: column transfer_only ('1') is not in the GTFS reference for this file; its meaning would be lost",
    ]);
  });

  it('malformed amounts, currencies and types', () => {
    const r = importGtfsFares(
      {
        'fare_products.txt': 'fare_product_id,amount,currency\np1,2.005,CNY\n,1.00,CNY\np3,1.00,USD\n',
        'fare_transfer_rules.txt': 'from_leg_group_id,fare_transfer_type\n,7\n',
      },
      { id: 'bad', name: 'bad' },
    );
    expect(r).toEqual({
      ok: false,
      warnings: [],
      errors: [
        'fare_leg_rules.txt: missing (required for a fares v2 import)',
        "fare_products.txt:2: amount '2.005' is not a 2-decimal amount",
        'fare_products.txt:3: fare_product_id is empty',
        'fare_products.txt:4: currency USD differs from CNY',
        'fare_transfer_rules.txt:2: fare_transfer_type must be 0, 1 or 2',
      ],
    });
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

describe('transfer rules', () => {
  it('maps types, duration limits and counts, and prices bus then rail with a_ab_b', () => {
    const { tariff, t } = imported({
      ...base,
      'fare_transfer_rules.txt':
        'from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id\nbus,rail,,5400,1,1,ab_off\nbus,bus,-1,3600,0,0,\n',
    });
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
        durationLimitMin: 60,
        durationLimitType: 'dep_arr',
      },
    ]);
    const b = ride(t, 'B1', 's1', undefined, T);
    expect(b.chargeFen).toBe(150);
  });
});
