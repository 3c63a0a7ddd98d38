// Pure: turns a batch's taps into effects, one per tap in tap order. Taps of the same card are
// chained, each planned from the state the previous one leaves, so a batch with three rides
// of one card charges three fares against one compare-and-set version run.
import { type CardState, unknownCard } from '../../../core/card.js';
import { chain, type Effect, planTap, type TapInput } from '../../../core/ledger.js';
import { type LocationRegistration, locationCheck, planRefusal } from '../../../core/location.js';
import type { Pricer } from '../../../core/pricing.js';
import { planVisitCounting } from '../../../core/visit.js';

export function planBatch(
  taps: readonly TapInput[],
  cards: ReadonlyMap<string, CardState>,
  fare: Pricer,
  now: number,
): Effect[] {
  // States this batch moved, over the loaded ones (which may be a large shared map: not copied).
  const moved = new Map<string, CardState>();
  return taps.map((tap) => {
    const card = moved.get(tap.cardToken) ?? cards.get(tap.cardToken) ?? unknownCard(tap.cardToken);
    const { effect, next } = chain(card, (c) =>
      tap.refusal
        ? planRefusal(c, tap, now)
        : tap.record === 'visit'
          ? planVisitCounting(c, tap, now)
          : planTap(c, tap, fare, now),
    );
    moved.set(tap.cardToken, next);
    return effect;
  });
}

export function uniqueTokens(taps: readonly { cardToken: string }[]): string[] {
  return [...new Set(taps.map((t) => t.cardToken))];
}

/**
 * Marks the taps whose location the device may not report (core/location.ts) as refused, so
 * planBatch records them without pricing them. The registration is the one the ingest already
 * loaded for the batch (the device registry's cache): no store read per tap.
 */
export function withLocationChecked(taps: TapInput[], reg: LocationRegistration): TapInput[] {
  const check = locationCheck(reg);
  // The usual batch is all in place: the same array back, nothing copied.
  const first = taps.findIndex((t) => !check(t).ok);
  if (first < 0) return taps;
  return taps.map((t, i) =>
    i < first || (i > first && check(t).ok) ? t : { ...t, refusal: 'LOCATION_NOT_ALLOWED' },
  );
}
