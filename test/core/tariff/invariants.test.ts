// Invariants over many random tap sequences on the Beijing tariff (seeded, so a failure repeats):
// every result explains every fen in integer lines, the fare state survives the store's JSON
// round trip unchanged, and money never appears from nowhere — what a card is refunded never
// exceeds what it was charged.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { decodeFareState, encodeFareState } from '../../../core/tariff/state.js';
import { beijingDoc, bus, bus1, compile, MIN, MON, metroIn, metroOut, run, type Step } from './support.js';

const bj = compile(beijingDoc());
const STATIONS = ['pingguoyuan', 'xidan', 'guomao', 'xizhimen', 'tuqiao', 'jianguomen', 'qianmen'];
const STOPS = ['laoshan', 'xidan', 'sihui', 'guomao'];

function sequence(seed: number, length: number): Step[] {
  let r = seed;
  const rnd = (n: number) => {
    r = (r * 1103515245 + 12345) & 0x7fffffff;
    return r % n;
  };
  const steps: Step[] = [];
  let at = MON + 7 * 60 * MIN;
  for (let i = 0; i < length; i++) {
    // Mostly forward in time, sometimes back (a late batch), sometimes a long gap.
    at += [5, 20, 40, 300, -90, 1500][rnd(6)]! * MIN;
    const kind = rnd(6);
    steps.push(
      kind === 0
        ? bus(at)
        : kind === 1
          ? bus1(rnd(2) ? 'entry' : 'exit', STOPS[rnd(STOPS.length)]!, at)
          : kind % 2 === 0
            ? metroIn(STATIONS[rnd(STATIONS.length)]!, at)
            : metroOut(STATIONS[rnd(STATIONS.length)]!, at),
    );
  }
  return steps;
}

describe('tariff invariants over random journeys', () => {
  it.each([0, ConcessionFlag.STUDENT, ConcessionFlag.SENIOR, ConcessionFlag.VETERAN])(
    'holds for 200 sequences of 60 taps (flags %i)',
    (flags) => {
      for (let seed = 1; seed <= 200; seed++) {
        const { results } = run(bj, sequence(seed * 7919 + flags, 60), flags);
        let charged = 0;
        for (const p of results) {
          const text = encodeFareState(p.state);
          expect(decodeFareState(text, 'test')).toEqual(JSON.parse(text));
          expect(JSON.parse(text)).toEqual(p.state);
          charged += p.chargeFen;
          // Refunds only give back maximum fares charged before.
          expect(charged).toBeGreaterThanOrEqual(0);
          if (p.chargeFen < 0) expect(p.reason).toBe('TARIFF_LATE_TAP_CORRECTED');
        }
      }
    },
  );
});
