// The Beijing tariff on buses: the 2-yuan single fare and route 1's distance fare (2 yuan for
// 10 km, 1 yuan per started 5 km beyond), halved on the card; concessions; multi-leg journeys.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import {
  beijingDoc,
  bus,
  bus1,
  charges,
  compile,
  lineKinds,
  MIN,
  MON,
  metroIn,
  metroOut,
  run,
} from './support.js';

const bj = compile(beijingDoc());
const AM8 = MON + 8 * 60 * MIN;

describe('Beijing bus: cash price, card discount, concessions', () => {
  it.each([
    [
      'an adult card pays half the 2-yuan cash price',
      0,
      100,
      ['base 200', 'card_discount -100'],
      'none',
      'OK',
    ],
    [
      'a student pays a quarter of the cash price',
      ConcessionFlag.STUDENT,
      50,
      ['base 200', 'card_discount -100', 'concession -50'],
      'student_quarter',
      'OK',
    ],
    [
      'a senior (65+) rides free',
      ConcessionFlag.SENIOR,
      0,
      ['base 200', 'card_discount -100', 'concession -100'],
      'senior_free',
      'CONCESSION_FREE',
    ],
    [
      'a disabled rider rides free',
      ConcessionFlag.DISABLED,
      0,
      ['base 200', 'card_discount -100', 'concession -100'],
      'disabled_free',
      'CONCESSION_FREE',
    ],
    [
      'a disabled serviceman rides free',
      ConcessionFlag.VETERAN,
      0,
      ['base 200', 'card_discount -100', 'concession -100'],
      'veteran_free',
      'CONCESSION_FREE',
    ],
    [
      'a senior student takes the better of the two: free',
      ConcessionFlag.SENIOR | ConcessionFlag.STUDENT,
      0,
      ['base 200', 'card_discount -100', 'concession -100'],
      'senior_free',
      'CONCESSION_FREE',
    ],
  ])('%s', (_what, flags, fen, lines, concession, reason) => {
    const [p] = run(bj, [bus(AM8)], flags).results;
    expect(p).toMatchObject({ chargeFen: fen, baseFen: 200, concession, reason });
    expect(lineKinds(p!)).toEqual(lines);
  });

  it('gives the e-card QR the card discount too', () => {
    expect(charges(run(bj, [{ ...bus(AM8), credential: 'qr' }]))).toEqual([100]);
  });

  it.each([
    ['Laoshan', 'Wukesong (5.0 km)', 'laoshan', 'wukesong', 200, 100],
    ['Laoshan', 'Xidan (13.8 km: one started 5 km step)', 'laoshan', 'xidan', 300, 150],
    ['Laoshan', 'Sihui (23.8 km: three steps)', 'laoshan', 'sihui', 500, 250],
  ])('route 1 from %s to %s: cash %i fen, card %i fen', (_f, _t, from, to, cash, card) => {
    const r = run(bj, [bus1('entry', from, AM8), bus1('exit', to, AM8 + 40 * MIN)]);
    expect(r.results[1]).toMatchObject({ chargeFen: card, baseFen: cash });
  });
});

describe('Beijing multi-leg journeys (no transfer discount in Beijing: each leg pays its own fare)', () => {
  it('bus, then metro across two lines, then route 1 by distance', () => {
    const r = run(bj, [
      bus(AM8),
      metroIn('xizhimen', AM8 + 20 * MIN),
      // Changes from line 2 to line 1 at Fuxingmen inside the paid area: one 17.2 km journey.
      metroOut('sihuidong', AM8 + 60 * MIN),
      bus1('entry', 'sihui', AM8 + 70 * MIN),
      bus1('exit', 'dawanglu', AM8 + 80 * MIN),
    ]);
    expect(charges(r)).toEqual([100, 0, 500, 0, 100]);
    expect(r.results.map((p) => p.reason)).toEqual(['OK', 'ENTRY_RECORDED', 'OK', 'ENTRY_RECORDED', 'OK']);
    expect(r.state.open).toBeUndefined();
  });

  it('a senior: buses free, the metro at full fare, the month spend counting only the metro', () => {
    const r = run(
      bj,
      [
        bus(AM8),
        metroIn('pingguoyuan', AM8 + 20 * MIN),
        metroOut('xidan', AM8 + 60 * MIN),
        bus(AM8 + 70 * MIN),
      ],
      ConcessionFlag.SENIOR,
    );
    expect(charges(r)).toEqual([0, 0, 500, 0]);
    expect(r.state.acc).toEqual({ 'metro-month': [202506, 500] });
  });
});
