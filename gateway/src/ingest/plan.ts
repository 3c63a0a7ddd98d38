// Pure: turns a batch's taps into effects, one per tap in tap order. Taps of the same card are
// chained (core/ledger.ts nextState), each planned from the state the previous one leaves, so a
// batch with three rides of one card charges three fares against one compare-and-set version run.
import { type CardState, unknownCard } from '../../../core/card.js';
import { type Effect, nextState, planTap, type TapInput } from '../../../core/ledger.js';
import { type LocationRegistration, locationCheck, planRefusal } from '../../../core/location.js';
import type { Pricer } from '../../../core/pricing.js';
import { planVisitCounting } from '../../../core/visit.js';

/**
 * repeats: whether a card may come more than once among the taps. The ingest knows it from
 * loading their cards (fewer tokens than taps, uniqueTokens) and says so, so the taps are not
 * gone through a second time (0243); left out, it is found here. A wrong false is still safe:
 * two effects of one card then expect the same version, and the second conflicts and is planned
 * again.
 */
export function planBatch(
  taps: readonly TapInput[],
  cards: ReadonlyMap<string, CardState>,
  fare: Pricer,
  now: number,
  repeats: boolean = repeatsACard(taps),
): Effect[] {
  // States this batch moved, over the loaded ones (which may be a large shared map: not copied).
  // Only a card tapped more than once needs its next state; the usual batch has every card
  // once, and then none is built (docs/decisions/0211).
  const moved = repeats ? new Map<string, CardState>() : undefined;
  const effects: Effect[] = [];
  for (const tap of taps) {
    const card = moved?.get(tap.cardToken) ?? cards.get(tap.cardToken) ?? unknownCard(tap.cardToken);
    const effect = tap.refusal
      ? planRefusal(card, tap, now)
      : tap.record === 'visit'
        ? planVisitCounting(card, tap, now)
        : planTap(card, tap, fare, now);
    moved?.set(tap.cardToken, nextState(card, effect));
    effects.push(effect);
  }
  return effects;
}

function repeatsACard(taps: readonly TapInput[]): boolean {
  const seen = new Set<string>();
  for (const t of taps) {
    if (seen.has(t.cardToken)) return true;
    seen.add(t.cardToken);
  }
  return false;
}

export function uniqueTokens(taps: readonly { cardToken: string }[]): string[] {
  const tokens = new Set<string>();
  for (const t of taps) tokens.add(t.cardToken);
  return [...tokens];
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
