// The sweep's half of a missing tap-out (docs/decisions/0113): an entry that no tap closes is
// charged the maximum fare from its station once its network's limit has passed, exactly as a
// later tap would charge it; its late exit still corrects it, and no later tap charges it again.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { closeOverdue } from '../../../core/tariff/engine.js';
import { sumLines } from '../../../core/tariff/lines.js';
import type { FareState } from '../../../core/tariff/state.js';
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
const H = 60 * MIN;
const AM8 = MON + 8 * H;

/** The fare state after the card's entry taps, as the gateway keeps it. */
const entered = (...steps: Parameters<typeof run>[1]): FareState => run(bj, steps).state;
const metroEntry = entered(metroIn('pingguoyuan', AM8));

describe('closeOverdue', () => {
  it.each([
    ['no open entry', {}, AM8 + 10 * H],
    ['an open metro entry one millisecond before its 4-hour limit', metroEntry, AM8 + 4 * H - 1],
    [
      'an open bus route 1 entry before its 3-hour limit',
      entered(bus1('entry', 'sihui', AM8)),
      AM8 + 3 * H - 1,
    ],
    [
      'only an unfinished entry (already charged)',
      { unf: { n: 'bj-metro', s: 'bj-xidan', t: AM8, c: 600 } },
      AM8 + 10 * H,
    ],
    [
      'an open entry on a network the tariff no longer has',
      { open: { n: 'gone', s: 'x', t: AM8, c: 0 } },
      AM8 + 100 * H,
    ],
  ])('charges nothing for %s', (_, state: FareState, now) => {
    expect(closeOverdue(bj, 0, state, now)).toBeUndefined();
  });

  it('charges the maximum fare from the entry station once the limit has passed, dated at the limit', () => {
    const closed = closeOverdue(bj, 0, metroEntry, AM8 + 9 * H)!;
    expect(closed).toMatchObject({
      chargeFen: 700,
      baseFen: 700,
      reason: 'TARIFF_MISSING_TAP_OUT',
      at: AM8 + 4 * H,
      entry: { n: 'bj-metro', s: 'bj-pingguoyuan', t: AM8, c: 0 },
    });
    expect(lineKinds(closed)).toEqual(['missing_tap_out 700']);
    expect(closed.lines[0]!.note).toMatch(/^no exit after entry at bj-pingguoyuan: maximum fare, /);
    expect(sumLines(closed.lines)).toBe(closed.chargeFen);
    expect(closed.state).toEqual({
      unf: { n: 'bj-metro', s: 'bj-pingguoyuan', t: AM8, c: 700 },
      acc: { 'metro-month': [202506, 700] },
    });
  });

  it('plans the same charge whenever the sweep runs after the limit', () => {
    const early = closeOverdue(bj, 0, metroEntry, AM8 + 4 * H)!;
    const late = closeOverdue(bj, 0, metroEntry, AM8 + 20 * H)!;
    expect(late).toEqual(early);
  });

  it('uses the limit of the entry network: 3 hours on bus route 1', () => {
    const closed = closeOverdue(bj, 0, entered(bus1('entry', 'sihui', AM8)), AM8 + 3 * H)!;
    expect(closed).toMatchObject({ reason: 'TARIFF_MISSING_TAP_OUT', at: AM8 + 3 * H });
    expect(closed.state.unf).toMatchObject({ n: 'bj-bus-distance', s: 'bus1-sihui', t: AM8 });
    expect(closed.chargeFen).toBe(sumLines(closed.lines));
  });

  it('charges what a later tap would have charged for the same unfinished journey', () => {
    const byTap = run(bj, [metroIn('pingguoyuan', AM8), bus(AM8 + 5 * H)]).results[1]!;
    const bySweep = closeOverdue(bj, 0, metroEntry, AM8 + 5 * H)!;
    expect(bySweep.lines[0]).toEqual(byTap.lines[0]);
    expect(bySweep.state.unf).toEqual(byTap.state.unf);
  });

  it('charges a free rider nothing and records the waived maximum', () => {
    const closed = closeOverdue(bj, ConcessionFlag.VETERAN, metroEntry, AM8 + 4 * H)!;
    expect(closed).toMatchObject({ chargeFen: 0, baseFen: 700, reason: 'TARIFF_MISSING_TAP_OUT' });
    expect(lineKinds(closed)).toEqual(['missing_tap_out 700', 'concession -700']);
  });

  it('keeps the last leg out of transfers and the other pending halves as they were', () => {
    const state: FareState = { ...metroEntry, ux: { n: 'bj-metro', s: 'bj-xidan', t: AM8 - H, c: 600 } };
    const closed = closeOverdue(bj, 0, state, AM8 + 4 * H)!;
    expect(closed.state.ux).toEqual(state.ux);
    expect(closed.state.last).toBeUndefined();
  });
});

describe('after the sweep closed an entry', () => {
  const closed = closeOverdue(bj, 0, metroEntry, AM8 + 5 * H)!;

  it('has nothing more to close', () => {
    expect(closeOverdue(bj, 0, closed.state, AM8 + 30 * H)).toBeUndefined();
  });

  it('corrects to the real fare when the late exit arrives, as after a later tap', () => {
    const r = run(bj, [metroOut('guomao', AM8 + 50 * MIN)], 0, closed.state);
    expect(charges(r)).toEqual([-100]);
    expect(r.results[0]!.reason).toBe('TARIFF_LATE_TAP_CORRECTED');
    expect(lineKinds(r.results[0]!)).toEqual(['reversal -700', 'base 600']);
    expect(r.state).toEqual({ acc: { 'metro-month': [202506, 600] } });
  });

  it('does not charge the journey again on the next tap', () => {
    const r = run(bj, [bus(AM8 + 6 * H)], 0, closed.state);
    expect(r.results[0]).toMatchObject({ chargeFen: 100, reason: 'OK' });
    expect(lineKinds(r.results[0]!)).toEqual(['base 200', 'card_discount -100']);
  });

  it('opens the next journey normally on the next entry', () => {
    const r = run(bj, [metroIn('xidan', AM8 + 6 * H)], 0, closed.state);
    expect(r.results[0]).toMatchObject({ chargeFen: 0, reason: 'ENTRY_RECORDED' });
    expect(r.state.open).toMatchObject({ s: 'bj-xidan' });
  });

  it('charges an exit after the correction window as an exit with no entry', () => {
    const r = run(bj, [metroOut('guomao', AM8 + 25 * H)], 0, closed.state);
    expect(r.results[0]).toMatchObject({ reason: 'TARIFF_NO_TAP_IN', chargeFen: 600 });
  });
});
