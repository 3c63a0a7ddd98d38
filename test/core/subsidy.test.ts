// The concession subsidy (docs/decisions/0162), one definition for records, statistics, CSV and
// console: rider kinds × tariff features, priced by the real engine on the Beijing tariff (and
// the flat tariff), each record's subsidy taken from its lines.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../core/card.js';
import type { LedgerRecord } from '../../core/ledger.js';
import { planTap } from '../../core/ledger.js';
import { flatPricer } from '../../core/pricing.js';
import { subsidyOf, withSubsidy } from '../../core/subsidy.js';
import type { CompiledTariff } from '../../core/tariff/compile.js';
import { flatFare } from '../../core/tariff/flat.js';
import type { TariffDoc } from '../../core/tariff/model.js';
import {
  beijingDoc,
  bus,
  bus1,
  compile,
  MIN,
  MON,
  metroIn,
  metroOut,
  type Run,
  run,
  type Step,
} from './tariff/support.js';

const AM8 = MON + 8 * 60 * MIN;
const H = 60 * MIN;
const { SENIOR, DISABLED, STUDENT, VETERAN } = ConcessionFlag;

const bj = compile(beijingDoc());
const withRules = (extra: Partial<TariffDoc>): CompiledTariff => {
  const doc = beijingDoc();
  return compile({ ...doc, ...extra, products: [...doc.products, ...(extra.products ?? [])] });
};
const capped = withRules({
  caps: [{ id: 'bus-day', period: 'day', networkIds: ['bj-bus'], amountFen: 250 }],
});
const busToBus = withRules({
  products: [{ id: 'journey-5', name: 'bus + metro journey 5 yuan', amountFen: 500 }],
  transferRules: [
    {
      fromLegGroupId: 'bj-bus',
      toLegGroupId: 'bj-bus',
      durationLimitMin: 90,
      type: 'ab',
      productId: 'journey-5',
    },
  ],
});

const subsidies = (r: Run) => r.results.map((p) => subsidyOf('ride', p.lines));
const charges = (r: Run) => r.results.map((p) => p.chargeFen);

type Row = [
  what: string,
  tariff: CompiledTariff,
  flags: number,
  steps: Step[],
  charged: number[],
  subsidy: number[],
];

describe('concession subsidy: what the concession waived beyond the ordinary card price', () => {
  const rows: Row[] = [
    // The finding of issue 11: a 2-yuan cash fare, 1 yuan on the card. The old "forgone"
    // figure (base minus charged) said 200; an ordinary card holder pays 100, so 100 is waived.
    ['senior, single-fare bus: the card price, not the cash price', bj, SENIOR, [bus(AM8)], [0], [100]],
    [
      'senior on the e-card QR: the same medium discount',
      bj,
      SENIOR,
      [{ ...bus(AM8), credential: 'qr' }],
      [0],
      [100],
    ],
    ['disabled, single-fare bus: free', bj, DISABLED, [bus(AM8)], [0], [100]],
    // 25% of the cash price (50) against the card price (100): 50 waived.
    ['student, single-fare bus: a quarter of the cash price', bj, STUDENT, [bus(AM8)], [50], [50]],
    ['ordinary rider: nothing', bj, 0, [bus(AM8)], [100], [0]],
    [
      'ordinary rider on the metro: nothing',
      bj,
      0,
      [metroIn('pingguoyuan', AM8), metroOut('guomao', AM8 + H)],
      [0, 600],
      [0, 0],
    ],
    [
      'senior on the metro: Beijing seniors ride free on buses only, so nothing',
      bj,
      SENIOR,
      [metroIn('pingguoyuan', AM8), metroOut('guomao', AM8 + H)],
      [0, 600],
      [0, 0],
    ],
    [
      'veteran on a metro distance fare (no card discount on the metro): the whole 6 yuan',
      bj,
      VETERAN,
      [metroIn('pingguoyuan', AM8), metroOut('guomao', AM8 + H)],
      [0, 0],
      [0, 600],
    ],
    [
      'student on route 1 by distance (13.8 km: cash 3 yuan, card 1.50, student 0.75)',
      bj,
      STUDENT,
      [bus1('entry', 'laoshan', AM8), bus1('exit', 'xidan', AM8 + 40 * MIN)],
      [0, 75],
      [0, 75],
    ],
    [
      'senior with a daily cap: the cap never counts, the concession leaves it nothing to take',
      capped,
      SENIOR,
      [bus(AM8), bus(AM8 + H), bus(AM8 + 2 * H), bus(AM8 + 3 * H)],
      [0, 0, 0, 0],
      [100, 100, 100, 100],
    ],
    [
      'ordinary rider with a daily cap: what the cap waives is no subsidy',
      capped,
      0,
      [bus(AM8), bus(AM8 + H), bus(AM8 + 2 * H), bus(AM8 + 3 * H)],
      [100, 100, 50, 0],
      [0, 0, 0, 0],
    ],
    [
      // Measured at the concession step: the cap comes after it, on the rider's own spend (0162).
      'student with a daily cap: each ride the 50 the concession waived, the cap aside',
      capped,
      STUDENT,
      [0, 1, 2, 3, 4, 5].map((i) => bus(AM8 + i * H)),
      [50, 50, 50, 50, 50, 0],
      [50, 50, 50, 50, 50, 50],
    ],
    [
      // ab: the journey costs 5 yuan cash, the first leg paid 2: the second leg costs 3 cash,
      // 1.50 on the card, all of it waived for a senior.
      'senior with a transfer: the waiver of the leg as the transfer rule prices it',
      busToBus,
      SENIOR,
      [bus(AM8), bus(AM8 + 20 * MIN)],
      [0, 0],
      [100, 150],
    ],
    [
      'ordinary rider with the same transfer: nothing',
      busToBus,
      0,
      [bus(AM8), bus(AM8 + 20 * MIN)],
      [100, 150],
      [0, 0],
    ],
  ];

  it.each(rows)('%s', (_what, tariff, flags, steps, charged, subsidy) => {
    const r = run(tariff, steps, flags);
    expect(charges(r)).toEqual(charged);
    expect(subsidies(r)).toEqual(subsidy);
  });

  it('equals the ordinary card holder’s fare minus the concession fare, ride by ride', () => {
    for (const [, tariff, flags, steps] of rows.filter(([what]) => !what.includes('cap'))) {
      const ordinary = charges(run(tariff, steps, 0));
      const rider = run(tariff, steps, flags);
      expect(subsidies(rider)).toEqual(ordinary.map((fen, i) => fen - rider.results[i]!.chargeFen));
    }
  });
});

describe('a journey half arriving late gives back the subsidy of the maximum fare with it', () => {
  it('counts a veteran’s metro journey once: the 6 yuan journey, not the 7 yuan maximum as well', () => {
    const r = run(
      bj,
      [metroIn('pingguoyuan', AM8), metroIn('xidan', AM8 + 5 * H), metroOut('guomao', AM8 + 50 * MIN)],
      VETERAN,
    );
    expect(charges(r)).toEqual([0, 0, 0]);
    // Second tap: the unfinished entry's maximum fare, all waived.
    expect(subsidies(r)[1]).toBe(700);
    expect(r.results[1]!.state.unf).toMatchObject({ c: 0, w: 700 });
    // The late exit: the maximum given back with its waiver, the real fare waived.
    expect(r.results[2]!.lines.map((l) => `${l.kind} ${l.fen}`)).toEqual([
      'reversal -700',
      'concession 700',
      'base 600',
      'concession -600',
    ]);
    expect(subsidies(r).reduce((a, b) => a + b, 0)).toBe(600);
  });

  it('for a student on route 1 (partial concession), sums to the real journey’s waiver', () => {
    const steps = [bus1('entry', 'laoshan', AM8), bus(AM8 + 4 * H), bus1('exit', 'xidan', AM8 + 40 * MIN)];
    const student = run(bj, steps, STUDENT);
    const ordinary = run(bj, steps, 0);
    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(total(charges(ordinary)) - total(charges(student))).toBe(total(subsidies(student)));
    // Route 1 from Laoshan to Xidan: card 150, student 75; the single-fare bus: card 100, student 50.
    expect(total(subsidies(student))).toBe(75 + 50);
  });

  it('keeps the old note and lines for an ordinary rider (no waiver to give back)', () => {
    const r = run(bj, [metroIn('pingguoyuan', AM8), bus(AM8 + 5 * H), metroOut('guomao', AM8 + 50 * MIN)]);
    expect(r.results[1]!.state.unf).toEqual({ n: 'bj-metro', s: 'bj-pingguoyuan', t: AM8, c: 700 });
    expect(r.results[2]!.lines.map((l) => l.kind)).toEqual(['reversal', 'base']);
  });
});

describe('the record', () => {
  const card = {
    token: 'a'.repeat(32),
    known: true,
    status: 'active' as const,
    balanceFen: 1000,
    version: 3,
    flags: SENIOR,
    masked: 'A12****01',
    region: '110000',
    fare: {},
  };
  const tap = {
    operatorId: 'bus-co',
    deviceId: 'bus-1',
    seq: 1,
    deviceTimeMs: AM8,
    credential: 'card' as const,
    cardToken: card.token,
    issuingRegion: '110000',
    routeId: 'r1',
    stopId: 's1',
    stationId: '',
    venueId: '',
    direction: 'board' as const,
    edgeDecision: 'allow' as const,
    edgeReason: 'OK' as const,
    offline: false,
  };
  const flat = flatPricer(flatFare());

  it.each([
    ['senior, flat tariff (no card discount): the whole 2 yuan', SENIOR, 'allow', 200],
    ['student, flat tariff: half', STUDENT, 'allow', 100],
    ['ordinary rider', 0, 'allow', 0],
    ['a tap the device denied: nothing was waived', SENIOR, 'deny', 0],
  ] as const)('carries subsidyFen: %s', (_what, flags, edgeDecision, fen) => {
    const r = planTap({ ...card, flags }, { ...tap, edgeDecision }, flat, AM8).record;
    expect(r.subsidyFen).toBe(fen);
    expect(r.subsidyFen).toBe(subsidyOf(r.kind, r.lines));
  });

  it('counts transit fares only: a venue purchase’s concession line is no transit subsidy', () => {
    const lines = [
      { kind: 'base' as const, fen: 6000, note: 'ticket × 2' },
      { kind: 'concession' as const, fen: -3000, note: 'free for concession holders' },
    ];
    expect(subsidyOf('purchase', lines)).toBe(0);
    expect(subsidyOf('adjustment', lines)).toBe(3000);
  });

  it('derives the field for a record stored before it existed, and keeps a stored one', () => {
    const stored = planTap(card, tap, flat, AM8).record;
    const { subsidyFen: _, ...old } = stored;
    expect(withSubsidy(old as LedgerRecord).subsidyFen).toBe(200);
    expect(withSubsidy({ ...stored, subsidyFen: 7 }).subsidyFen).toBe(7);
  });
});
