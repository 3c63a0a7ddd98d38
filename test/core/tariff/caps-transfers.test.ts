// Caps and GTFS transfer rules, which Beijing does not use: exercised on the Beijing data with
// rules added here, as an operator would add them to its tariff file.
import { describe, expect, it } from 'vitest';
import type { TariffDoc, TransferRule } from '../../../core/tariff/model.js';
import {
  beijingDoc,
  bus,
  charges,
  compile,
  DAY,
  lineKinds,
  MIN,
  MON,
  metroIn,
  metroOut,
  run,
} from './support.js';

const AM8 = MON + 8 * 60 * MIN;

function withRules(extra: Partial<TariffDoc>): ReturnType<typeof compile> {
  const doc = beijingDoc();
  return compile({ ...doc, ...extra, products: [...doc.products, ...(extra.products ?? [])] });
}

describe('fare caps', () => {
  const capped = withRules({
    caps: [
      { id: 'bus-day', period: 'day', networkIds: ['bj-bus'], amountFen: 250 },
      { id: 'bus-week', period: 'week', networkIds: ['bj-bus'], amountFen: 600 },
    ],
  });

  it('waives what goes over the daily cap, and starts again the next day', () => {
    const r = run(capped, [
      bus(AM8),
      bus(AM8 + 60 * MIN),
      bus(AM8 + 120 * MIN),
      bus(AM8 + 180 * MIN),
      bus(AM8 + DAY),
    ]);
    expect(charges(r)).toEqual([100, 100, 50, 0, 100]);
    expect(r.results[2]).toMatchObject({ reason: 'TARIFF_CAP_REACHED' });
    expect(lineKinds(r.results[2]!)).toEqual(['base 200', 'card_discount -100', 'cap -50']);
    expect(lineKinds(r.results[3]!)).toEqual(['base 200', 'card_discount -100', 'cap -100']);
  });

  it('caps the week as well: Monday to Sunday, 6 yuan', () => {
    const steps = [];
    for (let d = 0; d < 8; d++) for (let i = 0; i < 2; i++) steps.push(bus(AM8 + d * DAY + i * 60 * MIN));
    const perDay = [];
    const c = charges(run(capped, steps));
    for (let d = 0; d < 8; d++) perDay.push(c[2 * d]! + c[2 * d + 1]!);
    // 2 yuan a day until the week reaches 6 yuan on Wednesday; the next Monday starts afresh.
    expect(perDay).toEqual([200, 200, 200, 0, 0, 0, 0, 200]);
  });

  it('does not cap the metro when only buses are capped', () => {
    const r = run(capped, [metroIn('pingguoyuan', AM8), metroOut('guomao', AM8 + 60 * MIN)]);
    expect(charges(r)).toEqual([0, 600]);
  });
});

describe('transfer rules (GTFS fare_transfer_rules)', () => {
  const rule = (r: Partial<TransferRule>): ReturnType<typeof compile> =>
    withRules({
      products: [
        { id: 'free-transfer', name: 'free transfer', amountFen: 0 },
        { id: 'one-yuan-off', name: '1 yuan off', amountFen: -100 },
        { id: 'journey-5', name: 'bus + metro journey 5 yuan', amountFen: 500 },
      ],
      transferRules: [
        { fromLegGroupId: 'bj-bus', toLegGroupId: 'bj-metro', durationLimitMin: 90, type: 'a_ab', ...r },
      ],
    });
  const busThenMetro = (gapMin: number) => [
    bus(AM8),
    metroIn('pingguoyuan', AM8 + gapMin * MIN),
    metroOut('xidan', AM8 + (gapMin + 40) * MIN),
  ];

  it.each([
    [
      'a_ab: the metro leg costs the transfer product (free)',
      { type: 'a_ab' as const, productId: 'free-transfer' },
      0,
      ['base 500', 'transfer -500'],
    ],
    [
      'a_ab_b: the metro leg costs its fare plus a -1 yuan product',
      { type: 'a_ab_b' as const, productId: 'one-yuan-off' },
      400,
      ['base 500', 'transfer -100'],
    ],
    [
      'ab: the journey costs 5 yuan in all, the bus leg paid 2 of it (cash prices)',
      { type: 'ab' as const, productId: 'journey-5' },
      300,
      ['base 500', 'transfer -200'],
    ],
  ])('%s', (_what, r, fen, lines) => {
    const res = run(rule(r), busThenMetro(20));
    expect(charges(res)).toEqual([100, 0, fen]);
    expect(res.results[2]!.reason).toBe('TARIFF_TRANSFER');
    expect(lineKinds(res.results[2]!)).toEqual(lines);
  });

  it('measures the time limit from the first leg departure to this leg arrival (dep_arr) by default', () => {
    // Bus at 08:00, metro exit at 09:40: 100 minutes > 90.
    const res = run(rule({ type: 'a_ab', productId: 'free-transfer' }), busThenMetro(60));
    expect(charges(res)).toEqual([100, 0, 500]);
    expect(res.results[2]!.reason).toBe('OK');
  });

  it('honours dep_dep: the metro entry within 90 minutes of the bus is enough', () => {
    const res = run(
      rule({ type: 'a_ab', productId: 'free-transfer', durationLimitType: 'dep_dep' }),
      busThenMetro(60),
    );
    expect(charges(res)).toEqual([100, 0, 0]);
  });

  it('allows one transfer unless the rule says more', () => {
    const busToBus = withRules({
      products: [{ id: 'free-transfer', name: 'free transfer', amountFen: 0 }],
      transferRules: [
        {
          fromLegGroupId: 'bj-bus',
          toLegGroupId: 'bj-bus',
          type: 'a_ab',
          productId: 'free-transfer',
          durationLimitMin: 120,
        },
      ],
    });
    const three = [bus(AM8), bus(AM8 + 20 * MIN), bus(AM8 + 40 * MIN)];
    expect(charges(run(busToBus, three))).toEqual([100, 0, 100]);
    const unlimited = withRules({
      products: [{ id: 'free-transfer', name: 'free transfer', amountFen: 0 }],
      transferRules: [
        {
          fromLegGroupId: 'bj-bus',
          toLegGroupId: 'bj-bus',
          type: 'a_ab',
          productId: 'free-transfer',
          durationLimitMin: 120,
          transferCount: -1,
        },
      ],
    });
    expect(charges(run(unlimited, three))).toEqual([100, 0, 0]);
  });
});

describe('timeframes (GTFS timeframes + from_timeframe_group_id)', () => {
  // A peak surcharge an operator could add: weekdays 07:00–09:00 the single-fare bus costs 3 yuan.
  const peak = withRules({
    timeframes: [{ id: 'am-peak', startMin: 7 * 60, endMin: 9 * 60, days: [1, 2, 3, 4, 5] }],
    products: [{ id: 'bus-peak', name: 'peak bus 3 yuan', amountFen: 300 }],
    legRules: [
      ...beijingDoc().legRules,
      { legGroupId: 'bj-bus-peak', networkId: 'bj-bus', fromTimeframeId: 'am-peak', productId: 'bus-peak' },
    ],
  });

  it.each([
    ['Monday 08:00 is peak', MON + 8 * 60 * MIN, 150],
    ['Monday 09:00 is not (the end is exclusive)', MON + 9 * 60 * MIN, 100],
    ['Monday 06:59 is not', MON + (7 * 60 - 1) * MIN, 100],
    ['Saturday 08:00 is not', MON + 5 * DAY + 8 * 60 * MIN, 100],
  ])('%s', (_what, at, fen) => {
    expect(charges(run(peak, [bus(at)]))).toEqual([fen]);
  });
});

describe('a timeframe of several intervals (GTFS timeframes with repeated ids)', () => {
  const peaks = withRules({
    timeframes: [
      { id: 'peak', startMin: 7 * 60, endMin: 9 * 60 },
      { id: 'peak', startMin: 17 * 60, endMin: 19 * 60 },
    ],
    products: [{ id: 'bus-peak', name: 'peak bus 3 yuan', amountFen: 300 }],
    legRules: [
      ...beijingDoc().legRules,
      { legGroupId: 'bj-bus-peak', networkId: 'bj-bus', fromTimeframeId: 'peak', productId: 'bus-peak' },
    ],
  });

  it('matches any of its intervals', () => {
    const at = (h: number) => bus(MON + h * 60 * MIN);
    expect(charges(run(peaks, [at(8), at(12), at(18), at(20)]))).toEqual([150, 100, 150, 100]);
  });
});
