// Fare calculations per second on one core, pure CPU: the Beijing tariff (gateway/tariffs/beijing)
// over realistic multi-leg days — a bus ride, a metro journey across lines priced by distance,
// a distance-fare bus ride with tap in and out, the month's spend tiers moving — against the flat
// fare of the first version on the same taps in the same run (the baseline), both called as
// core/ledger.ts planTap calls them (a Pricer, lines included).
import type { CardState } from '../../core/card.js';
import { ConcessionFlag } from '../../core/card.js';
import type { TapInput } from '../../core/ledger.js';
import { flatPricer, type Pricer, tariffPricer } from '../../core/pricing.js';
import { flatFare } from '../../core/tariff/flat.js';
import { readTariff, tariffPath } from '../../gateway/src/tariff/load.js';

export interface FareBench {
  fare_calcs_per_s: number;
  flat_fare_calcs_per_s: number;
  ratio_fare_to_flat: number;
}

const METRO = [
  'pingguoyuan',
  'gongzhufen',
  'xidan',
  'guomao',
  'sihuidong',
  'xizhimen',
  'dongzhimen',
  'qianmen',
  'tuqiao',
  'jianguomen',
];
const BUS1 = ['laoshan', 'wukesong', 'xidan', 'guomao', 'sihui'];

function tap(over: Partial<TapInput>): TapInput {
  return {
    operatorId: 'bj-bus',
    deviceId: 'd',
    seq: 0,
    deviceTimeMs: 0,
    credential: 'card',
    cardToken: '',
    issuingRegion: '110000',
    routeId: '',
    stopId: '',
    stationId: '',
    venueId: '',
    direction: 'board',
    edgeDecision: 'allow',
    edgeReason: 'OK',
    offline: false,
    ...over,
  };
}

/** cards × days of: bus, metro in/out, route-1 bus in/out; one card in ten a student or senior. */
function workload(
  cards: number,
  days: number,
): { cards: CardState[]; taps: { card: number; tap: TapInput }[] } {
  const start = Date.UTC(2025, 5, 1, 16, 0);
  const states: CardState[] = Array.from({ length: cards }, (_, i) => ({
    token: i.toString(16).padStart(32, '0'),
    known: true,
    version: 1,
    balanceFen: 1e9,
    status: 'active',
    flags: i % 10 === 0 ? ConcessionFlag.STUDENT : i % 10 === 1 ? ConcessionFlag.SENIOR : 0,
    masked: '',
    region: '110000',
    fare: {},
  }));
  const taps: { card: number; tap: TapInput }[] = [];
  let r = 12345;
  const rnd = (n: number) => {
    r = (r * 1103515245 + 12345) & 0x7fffffff;
    return r % n;
  };
  for (let d = 0; d < days; d++)
    for (let c = 0; c < cards; c++) {
      const t0 = start + d * 86_400_000 + (7 * 60 + rnd(120)) * 60_000;
      const [a, b] = [METRO[rnd(METRO.length)]!, METRO[rnd(METRO.length)]!];
      const [x, y] = [BUS1[rnd(BUS1.length)]!, BUS1[rnd(BUS1.length)]!];
      const min = (m: number) => t0 + m * 60_000;
      taps.push(
        { card: c, tap: tap({ routeId: 'bus-52', stopId: 's', deviceTimeMs: min(0) }) },
        {
          card: c,
          tap: tap({
            operatorId: 'bj-metro',
            stationId: `bj-${a}`,
            direction: 'entry',
            deviceTimeMs: min(15),
          }),
        },
        {
          card: c,
          tap: tap({
            operatorId: 'bj-metro',
            stationId: `bj-${b}`,
            direction: 'exit',
            deviceTimeMs: min(55),
          }),
        },
        {
          card: c,
          tap: tap({ routeId: 'bus-1', stopId: `bus1-${x}`, direction: 'entry', deviceTimeMs: min(600) }),
        },
        {
          card: c,
          tap: tap({ routeId: 'bus-1', stopId: `bus1-${y}`, direction: 'exit', deviceTimeMs: min(640) }),
        },
      );
    }
  return { cards: states, taps };
}

/** Prices the taps in order, carrying each card's fare state as the gateway does; calcs per second. */
function measure(price: Pricer, w: ReturnType<typeof workload>, seconds: number): number {
  let calcs = 0;
  let sink = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const cards = w.cards.map((c) => ({ ...c }));
    for (const { card, tap: t } of w.taps) {
      const state = cards[card]!;
      const p = price(state, t);
      sink += p.chargeFen;
      state.fare = p.fare;
    }
    calcs += w.taps.length;
  }
  if (sink === Number.MIN_SAFE_INTEGER) throw new Error('unreachable: keeps the work observable');
  return calcs / ((performance.now() - started) / 1000);
}

export function fareBench(quick: boolean): FareBench {
  const w = workload(quick ? 200 : 1000, 30);
  const beijing = tariffPricer(readTariff(tariffPath('beijing')));
  const flat = flatPricer(flatFare());
  const seconds = quick ? 1 : 3;
  measure(beijing, w, 0.3); // warm-up: let the JIT compile both before timing
  measure(flat, w, 0.3);
  const fare = measure(beijing, w, seconds);
  const base = measure(flat, w, seconds);
  return {
    fare_calcs_per_s: Math.round(fare),
    flat_fare_calcs_per_s: Math.round(base),
    ratio_fare_to_flat: Math.round((fare / base) * 1000) / 1000,
  };
}

if (process.argv[1]?.endsWith('fare.ts'))
  console.log(JSON.stringify(fareBench(process.argv.includes('--quick'))));
