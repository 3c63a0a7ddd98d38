// The Beijing tariff (gateway/tariffs/beijing/, docs/tariffs/beijing.md): metro distance bands,
// shortest path across lines, the monthly spend tiers, concessions on the metro.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { beijingDoc, charges, compile, DAY, lineKinds, MIN, MON, metroIn, metroOut, run } from './support.js';

const bj = compile(beijingDoc());

describe('Beijing metro: distance bands (6/12/22/32 km, then 1 yuan per started 20 km)', () => {
  it.each([
    ['Fuxingmen', 'Xidan', 'fuxingmen', 'xidan', 300, '1.5 km, band up to 6 km'],
    ['the same station in and out', 'Xidan', 'xidan', 'xidan', 300, '0.0 km, band up to 6 km'],
    [
      'Fuxingmen',
      'Jianguomen (6.6 km on line 1, shorter than round line 2)',
      'fuxingmen',
      'jianguomen',
      400,
      '6.5 km, band up to 12 km',
    ],
    ['Pingguoyuan', 'Xidan', 'pingguoyuan', 'xidan', 500, '18.5 km, band up to 22 km'],
    [
      'Xizhimen',
      'Sihuidong, changing at Fuxingmen',
      'xizhimen',
      'sihuidong',
      500,
      '17.2 km, band up to 22 km',
    ],
    ['Pingguoyuan', 'Guomao', 'pingguoyuan', 'guomao', 600, '25.6 km, band up to 32 km'],
    [
      'Xizhimen',
      'Tuqiao (33.6 km: one started 20 km step)',
      'xizhimen',
      'tuqiao',
      700,
      '33.5 km, beyond 32 km by 20 km steps',
    ],
    [
      'Pingguoyuan',
      'Tuqiao (46.7 km: still one step)',
      'pingguoyuan',
      'tuqiao',
      700,
      '46.7 km, beyond 32 km by 20 km steps',
    ],
  ])('%s to %s costs its band', (_from, _to, from, to, fen, note) => {
    const r = run(bj, [metroIn(from, MON + 8 * 60 * MIN), metroOut(to, MON + 9 * 60 * MIN)]);
    expect(r.results[0]).toMatchObject({ chargeFen: 0, reason: 'ENTRY_RECORDED', lines: [] });
    expect(r.results[1]).toMatchObject({ chargeFen: fen, baseFen: fen, reason: 'OK' });
    expect(r.results[1]!.lines).toEqual([{ kind: 'base', fen, note }]);
  });

  it('pays the same on the e-card QR as on the card (no medium discount on the metro)', () => {
    const r = run(bj, [
      { ...metroIn('pingguoyuan', MON), credential: 'qr' },
      { ...metroOut('xidan', MON + 40 * MIN), credential: 'qr' },
    ]);
    expect(charges(r)).toEqual([0, 500]);
  });
});

describe('Beijing metro: concessions', () => {
  it.each([
    [
      'a senior pays the full metro fare (the senior free ride is for buses)',
      ConcessionFlag.SENIOR,
      500,
      'none',
    ],
    ['a student pays the full metro fare', ConcessionFlag.STUDENT, 500, 'none'],
    [
      'a disabled serviceman rides free, recorded with the waived fare',
      ConcessionFlag.VETERAN,
      0,
      'veteran_free',
    ],
  ])('%s', (_what, flags, fen, category) => {
    const r = run(bj, [metroIn('pingguoyuan', MON), metroOut('xidan', MON + 40 * MIN)], flags);
    expect(r.results[1]).toMatchObject({ chargeFen: fen, baseFen: 500, concession: category });
  });

  it('records a free ride with its base fare and a concession line for the subsidy claim', () => {
    const r = run(
      bj,
      [metroIn('pingguoyuan', MON), metroOut('xidan', MON + 40 * MIN)],
      ConcessionFlag.VETERAN,
    );
    expect(r.results[1]!.reason).toBe('CONCESSION_FREE');
    expect(lineKinds(r.results[1]!)).toEqual(['base 500', 'concession -500']);
  });
});

describe('Beijing metro: a month of rides crossing the spend tiers (100 / 150 / 400 yuan)', () => {
  /** Two commuting rides of 6 yuan (Pingguoyuan–Guomao, 25.7 km) on each of 22 days. */
  function commute(days: number, startDay = 0) {
    const steps = [];
    for (let d = startDay; d < startDay + days; d++) {
      const day = MON + d * DAY;
      steps.push(metroIn('pingguoyuan', day + 8 * 60 * MIN), metroOut('guomao', day + 9 * 60 * MIN));
      steps.push(metroIn('guomao', day + 18 * 60 * MIN), metroOut('pingguoyuan', day + 19 * 60 * MIN));
    }
    return steps;
  }

  it('charges full fare to 100 yuan, then 20 % off to 150 yuan, then 50 % off', () => {
    const r = run(bj, commute(22));
    const exits = charges(r).filter((_, i) => i % 2 === 1);
    // The spend before a ride picks its tier: ride 17 starts at 96 yuan (full), ride 18 at 102.
    expect(exits).toEqual([...Array(17).fill(600), ...Array(10).fill(480), ...Array(17).fill(300)]);
    expect(exits.reduce((a, b) => a + b, 0)).toBe(20_100);
    expect(lineKinds(r.results[2 * 17 + 1]!)).toEqual(['base 600', 'spend_tier -120']);
    expect(r.results[2 * 17 + 1]!.lines[1]!.note).toBe('20% off: 102.00 spent this month');
    expect(lineKinds(r.results[2 * 27 + 1]!)).toEqual(['base 600', 'spend_tier -300']);
  });

  it('starts again at full fare in the next month', () => {
    // 2025-06-02 + 29 days = 2025-07-01.
    const r = run(bj, [...commute(22), ...commute(1, 29)]);
    expect(charges(r).slice(-4)).toEqual([0, 600, 0, 600]);
  });

  it('stops discounting once the month reaches 400 yuan', () => {
    const steps = [];
    // 96 long rides of 7 yuan (Pingguoyuan–Tuqiao, 46.8 km), four a day.
    for (let i = 0; i < 96; i++) {
      const at = MON + Math.floor(i / 4) * DAY + (i % 4) * 3 * 60 * MIN;
      steps.push(metroIn('pingguoyuan', at), metroOut('tuqiao', at + 80 * MIN));
    }
    const exits = charges(run(bj, steps)).filter((_, i) => i % 2 === 1);
    // 15 × 7 = 105 yuan; 9 × 5.60 → 155.40; 70 × 3.50 → 400.40; then full fare again.
    expect(exits).toEqual([...Array(15).fill(700), ...Array(9).fill(560), ...Array(70).fill(350), 700, 700]);
  });
});
