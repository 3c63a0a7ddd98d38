// Journeys with a missing half (docs/decisions/0110): an entry with no exit is charged the
// maximum fare from its station when the card's next tap shows it unfinished; an exit with no
// entry the maximum fare to its station; the late half, when it arrives, corrects to the real fare.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { beijingDoc, bus, charges, compile, lineKinds, MIN, MON, metroIn, metroOut, run } from './support.js';

const bj = compile(beijingDoc());
const H = 60 * MIN;
const AM8 = MON + 8 * H;

describe('missing tap-out', () => {
  it('charges the maximum fare from the entry station on the next tap after 4 hours', () => {
    const r = run(bj, [metroIn('pingguoyuan', AM8), bus(AM8 + 5 * H)]);
    // The highest fare from Pingguoyuan in the tariff is 7 yuan (beyond 32 km, e.g. Tuqiao at 46.7 km).
    expect(r.results[1]).toMatchObject({ chargeFen: 800, baseFen: 900, reason: 'TARIFF_MISSING_TAP_OUT' });
    expect(lineKinds(r.results[1]!)).toEqual(['missing_tap_out 700', 'base 200', 'card_discount -100']);
    expect(r.results[1]!.lines[0]!.note).toMatch(
      /^no exit after entry at bj-pingguoyuan: maximum fare, \d+\.\d km, beyond 32 km by 20 km steps$/,
    );
    expect(r.state.open).toBeUndefined();
    expect(r.state.unf).toEqual({ n: 'bj-metro', s: 'bj-pingguoyuan', t: AM8, c: 700 });
  });

  it('leaves the entry open when the next tap comes before the limit (its exit may still be on the way)', () => {
    const r = run(bj, [metroIn('pingguoyuan', AM8), bus(AM8 + 2 * H)]);
    expect(charges(r)).toEqual([0, 100]);
    expect(r.state.open).toMatchObject({ s: 'bj-pingguoyuan' });
  });

  it('closes the entry at once when a second entry on the metro comes, and opens the new one', () => {
    const r = run(bj, [
      metroIn('pingguoyuan', AM8),
      metroIn('xidan', AM8 + 3 * H),
      metroOut('guomao', AM8 + 4 * H),
    ]);
    expect(charges(r)).toEqual([0, 700, 400]);
    expect(r.results[1]!.reason).toBe('TARIFF_MISSING_TAP_OUT');
  });

  it('corrects to the real fare when the exit arrives late (an offline gate uploading its journal)', () => {
    const r = run(bj, [
      metroIn('pingguoyuan', AM8),
      bus(AM8 + 5 * H),
      // Device time 08:50, arriving after the 13:00 bus tap.
      metroOut('guomao', AM8 + 50 * MIN),
    ]);
    expect(charges(r)).toEqual([0, 800, -100]);
    expect(r.results[2]!.reason).toBe('TARIFF_LATE_TAP_CORRECTED');
    expect(lineKinds(r.results[2]!)).toEqual(['reversal -700', 'base 600']);
    expect(r.state.unf).toBeUndefined();
    // The month's spend counts the real fare only.
    expect(r.state.acc).toEqual({ 'metro-month': [202506, 600] });
  });

  it('no longer corrects after the correction window (a day)', () => {
    const r = run(bj, [metroIn('pingguoyuan', AM8), bus(AM8 + 5 * H), metroOut('guomao', AM8 + 25 * H)]);
    expect(r.results[2]).toMatchObject({ reason: 'TARIFF_NO_TAP_IN', chargeFen: 600 });
  });

  it('charges a free rider nothing for a missing tap-out, and records the waived maximum', () => {
    const r = run(bj, [metroIn('pingguoyuan', AM8), metroIn('xidan', AM8 + 5 * H)], ConcessionFlag.VETERAN);
    expect(r.results[1]).toMatchObject({ chargeFen: 0, baseFen: 700, reason: 'TARIFF_MISSING_TAP_OUT' });
    expect(lineKinds(r.results[1]!)).toEqual(['missing_tap_out 700', 'concession -700']);
  });
});

describe('entries arriving out of order', () => {
  it('charges an entry older than the open one as unfinished, and keeps the newer entry open', () => {
    const r = run(bj, [
      metroIn('pingguoyuan', AM8 + H), // 09:00, online
      metroIn('fuxingmen', AM8), // 08:00, from an offline gate
    ]);
    expect(r.results[1]).toMatchObject({ reason: 'TARIFF_MISSING_TAP_OUT' });
    expect(r.state.open).toMatchObject({ s: 'bj-pingguoyuan', t: AM8 + H });
    expect(r.state.unf).toMatchObject({ s: 'bj-fuxingmen', t: AM8 });
  });

  it('pairs each late exit with its own journey', () => {
    const r = run(bj, [
      metroIn('pingguoyuan', AM8 + H),
      metroIn('fuxingmen', AM8),
      metroOut('xidan', AM8 + 20 * MIN), // belongs to the 08:00 entry: 1.5 km
      metroOut('guomao', AM8 + 2 * H), // belongs to the 09:00 entry: 25.6 km
    ]);
    const maxFromFuxingmen = r.results[1]!.chargeFen;
    expect(charges(r).slice(2)).toEqual([300 - maxFromFuxingmen, 600]);
    expect(r.state.acc).toEqual({ 'metro-month': [202506, 900] });
    expect([r.state.open, r.state.unf]).toEqual([undefined, undefined]);
  });
});

describe('exit with no entry', () => {
  it('charges the maximum fare to the exit station', () => {
    const r = run(bj, [metroOut('xidan', AM8)]);
    // Xidan's farthest station is Tuqiao, 28.2 km: 6 yuan.
    expect(r.results[0]).toMatchObject({ chargeFen: 600, reason: 'TARIFF_NO_TAP_IN' });
    expect(r.state.ux).toEqual({ n: 'bj-metro', s: 'bj-xidan', t: AM8, c: 600 });
  });

  it('corrects when the entry arrives late with an earlier device time (entry gate was offline)', () => {
    const r = run(bj, [metroOut('xidan', AM8), metroIn('fuxingmen', AM8 - 10 * MIN)]);
    expect(charges(r)).toEqual([600, -300]);
    expect(r.results[1]!.reason).toBe('TARIFF_LATE_TAP_CORRECTED');
    expect(lineKinds(r.results[1]!)).toEqual(['reversal -600', 'base 300']);
    expect(r.state).toEqual({ acc: { 'metro-month': [202506, 300] } });
  });

  it('does not pair an exit with an entry made after it: the exit is charged as having no entry', () => {
    const r = run(bj, [metroIn('xidan', AM8), metroOut('guomao', AM8 - 30 * MIN)]);
    expect(r.results[1]!.reason).toBe('TARIFF_NO_TAP_IN');
    expect(r.state.open).toMatchObject({ s: 'bj-xidan' });
  });
});
