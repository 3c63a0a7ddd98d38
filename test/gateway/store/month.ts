// A month of mixed riders on the Beijing tariff, generated from a seed with time passed in: the
// effects the gateway would commit for them, in each card's order (taps, late uploads of an
// offline gate, the sweep's missing tap-outs, top-ups), planned by the real pure core.
import { type CardState, ConcessionFlag } from '../../../core/card.js';
import { chain, type Effect, planTap, planTopUp, type TapInput } from '../../../core/ledger.js';
import { planOverdue } from '../../../core/overdue.js';
import { tariffPricer } from '../../../core/pricing.js';
import type { CompiledTariff } from '../../../core/tariff/compile.js';

export { mulberry32 as prng } from '../../../core/random.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** Rider kinds in turn: ordinary riders twice as many as each concession group. */
export const riderFlags = [
  0,
  ConcessionFlag.SENIOR,
  0,
  ConcessionFlag.DISABLED,
  ConcessionFlag.STUDENT,
  ConcessionFlag.VETERAN,
] as const;

const METRO = [
  'bj-pingguoyuan',
  'bj-wukesong',
  'bj-xidan',
  'bj-guomao',
  'bj-sihuidong',
  'bj-xizhimen',
  'bj-qianmen',
  'bj-dongzhimen',
  'bj-tongzhou-beiyuan',
  'bj-tuqiao',
];
const BUS1 = ['laoshan', 'wukesong', 'muxidi', 'xidan', 'dongdan', 'guomao', 'sihui'].map((s) => `bus1-${s}`);

type Pick = <T>(xs: readonly T[]) => T;

/**
 * One card's month: 1 to 3 trips a day (single-fare bus, route 1 by distance, metro), some
 * refused at the gate, some exits never made (the next tap or the sweep charges the maximum
 * fare) and some uploaded late by an offline gate (a correction), a top-up every week.
 */
export function monthOfCard(
  tariff: CompiledTariff,
  start: CardState,
  monthStart: number,
  days: number,
  rand: () => number,
  nextSeq: () => number,
): Effect[] {
  const pick: Pick = (xs) => xs[Math.floor(rand() * xs.length)]!;
  const price = tariffPricer(tariff);
  const out: Effect[] = [];
  let card = start;
  const commit = (plan: (c: CardState) => Effect | undefined) => {
    const e = plan(card);
    if (!e) return;
    const { next } = chain(card, () => e);
    out.push(e);
    card = next;
  };
  const tapOf = (t: Omit<TapInput, 'seq' | 'credential' | 'issuingRegion' | 'cardToken' | 'offline'>) => ({
    ...t,
    seq: nextSeq(),
    cardToken: start.token,
    credential: rand() < 0.3 ? ('qr' as const) : ('card' as const),
    issuingRegion: '110000',
    offline: false,
  });
  const ride = (t: TapInput) => commit((c) => planTap(c, t, price, t.deviceTimeMs + 2_000));
  const base = {
    venueId: '',
    edgeDecision: 'allow' as const,
    edgeReason: 'OK' as const,
  };

  for (let d = 0; d < days; d++) {
    const day = monthStart + d * DAY;
    // The sweep at 05:00 charges an entry left open the day before (docs/decisions/0113).
    commit((c) => planOverdue(c, tariff, day + 5 * 60 * MIN));
    if (d % 7 === 3)
      commit((c) =>
        planTopUp(c, { requestId: `${start.token}-${d}`, amountFen: 5_000, channel: 'app' }, day),
      );
    const late: TapInput[] = [];
    let at = day + (7 * 60 + Math.floor(rand() * 120)) * MIN;
    const trips = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < trips; i++) {
      const kind = pick(['bus', 'bus', 'bus1', 'metro', 'metro'] as const);
      const denied = rand() < 0.04;
      const edge = denied
        ? { edgeDecision: 'deny' as const, edgeReason: 'BALANCE_NEGATIVE' as const }
        : { edgeDecision: 'allow' as const, edgeReason: 'OK' as const };
      if (kind === 'bus') {
        ride(
          tapOf({
            ...base,
            ...edge,
            operatorId: 'bj-bus',
            deviceId: 'bus-52-v1',
            routeId: 'bus-52',
            stopId: 'stop-x',
            stationId: '',
            direction: 'board',
            deviceTimeMs: at,
          }),
        );
      } else {
        const metro = kind === 'metro';
        const [from, to] = metro ? [pick(METRO), pick(METRO)] : [pick(BUS1), pick(BUS1)];
        const where = (s: string) =>
          metro
            ? { operatorId: 'bj-metro', routeId: '', stopId: '', stationId: s }
            : { operatorId: 'bj-bus', routeId: 'bus-1', stopId: s, stationId: '' };
        ride(
          tapOf({ ...base, ...where(from), deviceId: `${from}-in`, direction: 'entry', deviceTimeMs: at }),
        );
        const exit = tapOf({
          ...base,
          ...where(to),
          deviceId: `${to}-out`,
          direction: 'exit',
          deviceTimeMs: at + (10 + Math.floor(rand() * 50)) * MIN,
        });
        const fate = rand();
        // 10%: never tapped out; 15%: the exit gate was offline and uploads at night.
        if (fate >= 0.25) ride(exit);
        else if (fate >= 0.1) late.push(exit);
      }
      at += (60 + Math.floor(rand() * 300)) * MIN;
    }
    for (const t of late) commit((c) => planTap(c, t, price, day + 23 * 60 * MIN));
  }
  return out;
}
