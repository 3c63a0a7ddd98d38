// GTFS-Fares v2 import, with small files written here for each rule of the reference
// (gtfs.org/documentation/schedule/reference/#fare_leg_rulestxt): empty network_id, timezones,
// calendars, to_timeframe_group_id, transfers, media, rider categories.
import { describe, expect, it } from 'vitest';
import { importGtfsFares } from '../../../../core/tariff/gtfs/import.js';
import { imported, ride } from './support.js';

const T = Date.UTC(2025, 5, 2, 12, 0);
const products = 'fare_product_id,amount,currency\nflat,2.00,CNY\nrail_fare,4.00,CNY\npeak,3.00,CNY\n';
const networks = {
  'networks.txt': 'network_id,network_name\nbus,Bus\nrail,Rail\n',
  'route_networks.txt': 'network_id,route_id\nbus,B1\nrail,R1\n',
  'fare_products.txt': products,
};

describe('an empty network_id', () => {
  it('without rule_priority: every network no rule names, and routes of no network', () => {
    const { tariff, t } = imported({
      ...networks,
      'fare_leg_rules.txt': 'leg_group_id,network_id,fare_product_id\nany,,flat\nrail,rail,rail_fare\n',
    });
    expect(tariff.legRules.map((r) => [r.networkId, r.productId])).toEqual([
      ['bus', 'flat'],
      ['any-route', 'flat'],
      ['rail', 'rail_fare'],
    ]);
    expect(
      [
        ride(t, 'B1', 's', undefined, T),
        ride(t, 'R1', 's', undefined, T),
        ride(t, 'X', 's', undefined, T),
      ].map((p) => p.chargeFen),
    ).toEqual([200, 400, 200]);
  });

  it('with rule_priority: the network does not matter, and the higher priority wins', () => {
    const { t } = imported({
      ...networks,
      'fare_leg_rules.txt':
        'leg_group_id,network_id,fare_product_id,rule_priority\nany,,flat,1\nrail,rail,rail_fare,0\n',
    });
    expect(ride(t, 'R1', 's', undefined, T).chargeFen).toBe(200);
  });

  it('with rule_priority equal: the rule naming the leg network wins over the earlier one naming none', () => {
    const { t } = imported({
      ...networks,
      'fare_leg_rules.txt':
        'leg_group_id,network_id,fare_product_id,rule_priority\nany,,flat,0\nrail,rail,rail_fare,0\n',
    });
    expect([ride(t, 'R1', 's', undefined, T).chargeFen, ride(t, 'B1', 's', undefined, T).chargeFen]).toEqual([
      400, 200,
    ]);
  });

  it('with rule_priority equal: a rule naming an area still wins over one naming only the network', () => {
    const { t } = imported({
      ...networks,
      'areas.txt': 'area_id\na\n',
      'stop_areas.txt': 'area_id,stop_id\na,sa\n',
      'fare_leg_rules.txt':
        'leg_group_id,network_id,from_area_id,fare_product_id,rule_priority\nrail,rail,,rail_fare,0\nany,,a,flat,0\n',
    });
    expect([ride(t, 'R1', 'sa', undefined, T).chargeFen, ride(t, 'R1', 's', undefined, T).chargeFen]).toEqual(
      [200, 400],
    );
  });

  it('names no catch-all network when every rule names a network: a route of none has no fare', () => {
    const { tariff, t } = imported({
      ...networks,
      'fare_leg_rules.txt': 'network_id,fare_product_id\nrail,rail_fare\n',
    });
    expect(tariff.networks.some((n) => n.catchAll)).toBe(false);
    expect(ride(t, 'X', 's', undefined, T)).toMatchObject({ chargeFen: 0, reason: 'TARIFF_NO_FARE_RULE' });
  });
});

describe('an empty area', () => {
  const areas = {
    'fare_products.txt': products,
    'areas.txt': 'area_id\na\nb\nc\n',
    'stop_areas.txt': 'area_id,stop_id\na,sa\nb,sb\nc,sc\n',
  };
  const rules = 'from_area_id,to_area_id,fare_product_id\na,,flat\n,b,rail_fare\n,,peak\n';

  it('without rule_priority: any area but those the file names in that field', () => {
    const { tariff, t } = imported({ ...areas, 'fare_leg_rules.txt': rules });
    expect(tariff.legRules[2]).toMatchObject({ exceptFromAreaIds: ['a'], exceptToAreaIds: ['b'] });
    // a → b: "from a" rules exclude the empty-from rule, and b is named so "to empty" fails too.
    expect(ride(t, 'X', 'sa', 'sb', T)).toMatchObject({ chargeFen: 0, reason: 'TARIFF_NO_FARE_RULE' });
    expect(
      [ride(t, 'X', 'sa', 'sc', T), ride(t, 'X', 'sc', 'sb', T), ride(t, 'X', 'sc', 'sc', T)].map(
        (p) => p.chargeFen,
      ),
    ).toEqual([200, 400, 300]);
  });

  it('with rule_priority: an empty area does not affect the match (then the more specific rule)', () => {
    const { tariff, t } = imported({
      ...areas,
      'fare_leg_rules.txt': rules.replace('fare_product_id', 'fare_product_id,rule_priority'),
    });
    expect(tariff.legRules[2]!.exceptFromAreaIds).toBeUndefined();
    expect(ride(t, 'X', 'sa', 'sb', T).chargeFen).toBe(200);
  });
});

describe('timeframes', () => {
  const peakFeed = (zone: string, extra: Record<string, string> = {}) => ({
    'agency.txt': `agency_id,agency_name,agency_url,agency_timezone\na,A,https://a.example,${zone}\n`,
    'fare_products.txt': products,
    'timeframes.txt': 'timeframe_group_id,start_time,end_time\nam,07:00:00,09:00:00\n',
    'fare_leg_rules.txt': 'from_timeframe_group_id,fare_product_id\nam,peak\n,flat\n',
    ...extra,
  });
  // 2025-01-15, a Wednesday, 07:30 in Paris (UTC+1) = 14:30 in China.
  const parisMorning = Date.UTC(2025, 0, 15, 6, 30);

  it("reads a tap's time in the feed's agency_timezone: a Paris morning-peak tap pays the peak fare", () => {
    const { tariff, t } = imported(peakFeed('Europe/Paris'));
    expect(tariff.timezone).toBe('Europe/Paris');
    expect(ride(t, 'B1', 's', undefined, parisMorning).chargeFen).toBe(300);
    expect(ride(t, 'B1', 's', undefined, parisMorning + 2 * 3600_000).chargeFen).toBe(200);
  });

  it('follows daylight saving: 07:30 in Paris in July is 05:30 UTC', () => {
    const { t } = imported(peakFeed('Europe/Paris'));
    expect(ride(t, 'B1', 's', undefined, Date.UTC(2025, 6, 16, 5, 30)).chargeFen).toBe(300);
  });

  it('refuses times with no agency_timezone to read them in', () => {
    const files: Record<string, string> = peakFeed('Europe/Paris');
    delete files['agency.txt'];
    expect(importGtfsFares(files, { id: 'x', name: 'x' })).toMatchObject({
      ok: false,
      errors: [
        'timeframes.txt:2: timeframe am: its times are local times and the feed has no agency.txt agency_timezone',
      ],
    });
  });

  it('maps a service_id to weekdays and dates from calendar.txt', () => {
    const { tariff, t } = imported(
      peakFeed('Asia/Shanghai', {
        'timeframes.txt': 'timeframe_group_id,start_time,end_time,service_id\nam,07:00:00,09:00:00,wk\n',
        'calendar.txt':
          'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nwk,1,1,1,1,1,0,0,20250101,20251231\n',
      }),
    );
    expect(tariff.timeframes).toEqual([
      {
        id: 'am',
        startMin: 420,
        endMin: 540,
        days: [1, 2, 3, 4, 5],
        fromDate: '2025-01-01',
        toDate: '2025-12-31',
      },
    ]);
    // 07:30 China time on Wednesday 2025-01-15, then on Saturday 2025-01-18.
    expect(ride(t, 'B1', 's', undefined, Date.UTC(2025, 0, 14, 23, 30)).chargeFen).toBe(300);
    expect(ride(t, 'B1', 's', undefined, Date.UTC(2025, 0, 17, 23, 30)).chargeFen).toBe(200);
  });

  it('refuses a service_id found in neither calendar.txt nor calendar_dates.txt', () => {
    const files = peakFeed('Asia/Shanghai', {
      'timeframes.txt': 'timeframe_group_id,start_time,end_time,service_id\nam,07:00:00,09:00:00,wk\n',
    });
    expect(importGtfsFares(files, { id: 'x', name: 'x' })).toMatchObject({
      errors: [
        'timeframes.txt:2: timeframe am: service_id wk is in neither calendar.txt nor calendar_dates.txt (include them in the folder)',
      ],
    });
  });

  it('applies calendar_dates.txt: a removed weekday has no peak, an added Sunday has one', () => {
    const { tariff, t } = imported(
      peakFeed('Asia/Shanghai', {
        'timeframes.txt': 'timeframe_group_id,start_time,end_time,service_id\nam,07:00:00,09:00:00,wk\n',
        'calendar.txt':
          'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nwk,1,1,1,1,1,0,0,20250101,20251231\n',
        'calendar_dates.txt': 'service_id,date,exception_type\nwk,20250115,2\nwk,20250119,1\n',
      }),
    );
    expect(tariff.timeframes[0]).toMatchObject({ removeDates: ['2025-01-15'], addDates: ['2025-01-19'] });
    // 07:30 China time on Wednesday 2025-01-15 (removed), Thursday the 16th, Sunday the 19th (added).
    const at = (day: number) => Date.UTC(2025, 0, day - 1, 23, 30);
    expect([15, 16, 19, 18].map((d) => ride(t, 'B1', 's', undefined, at(d)).chargeFen)).toEqual([
      200, 300, 300, 200,
    ]);
  });

  it('reads a service only in calendar_dates.txt as those dates alone', () => {
    const { t } = imported(
      peakFeed('Asia/Shanghai', {
        'timeframes.txt': 'timeframe_group_id,start_time,end_time,service_id\nam,07:00:00,09:00:00,hol\n',
        'calendar_dates.txt': 'service_id,date,exception_type\nhol,20250501,1\n',
      }),
    );
    expect(ride(t, 'B1', 's', undefined, Date.UTC(2025, 3, 30, 23, 30)).chargeFen).toBe(300);
    expect(ride(t, 'B1', 's', undefined, Date.UTC(2025, 4, 1, 23, 30)).chargeFen).toBe(200);
  });

  it('matches to_timeframe_group_id against the arrival', () => {
    const { t } = imported({
      ...peakFeed('Asia/Shanghai'),
      'fare_leg_rules.txt': 'to_timeframe_group_id,fare_product_id\nam,peak\n,flat\n',
    });
    // Boards 06:50 China time; arrives 07:10 (in the peak), or 06:59 (not).
    expect(ride(t, 'B1', 's', 'e', Date.UTC(2025, 0, 14, 22, 50), 20).chargeFen).toBe(300);
    expect(ride(t, 'B1', 's', 'e', Date.UTC(2025, 0, 14, 22, 50), 9).chargeFen).toBe(200);
  });
});
