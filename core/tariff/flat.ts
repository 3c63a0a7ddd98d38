// Fares, as a pure and swappable function. This is the flat tariff of the first version, kept
// for sites that want it (ONECARD_TARIFF=flat); the data-driven tariff engine is the rest of
// core/tariff/, and both reach core/ledger.ts through the Pricer of core/pricing.ts.
import { type AppliedConcessionName, applyConcession, concessionFor } from '../concession.js';
import type { DirectionName } from '../tap.js';

export interface FareInput {
  direction: DirectionName;
  operatorId: string;
  routeId: string;
  /** The card's concession flags (core/card.ts ConcessionFlag). */
  flags: number;
}

export interface FareQuote {
  /** Full fare before concessions, fen. */
  baseFen: number;
  /** What to deduct, fen. Integer, never negative. */
  fareFen: number;
  concession: AppliedConcessionName;
}

export type FareFn = (input: FareInput) => FareQuote;

export interface FlatTariff {
  /** Bus: one tap, one flat fare. */
  busFlatFen: number;
  /** Metro: nothing at entry, a flat fare at exit. */
  metroFlatFen: number;
}

export const defaultFlatTariff: FlatTariff = { busFlatFen: 200, metroFlatFen: 300 };

export function flatFare(tariff: FlatTariff = defaultFlatTariff): FareFn {
  return ({ direction, flags }) => {
    const baseFen =
      direction === 'board' ? tariff.busFlatFen : direction === 'exit' ? tariff.metroFlatFen : 0;
    const concession = baseFen === 0 ? 'none' : concessionFor(flags);
    return { baseFen, fareFen: applyConcession(baseFen, concession), concession };
  };
}
