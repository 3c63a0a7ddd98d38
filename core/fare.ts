// Fares, as a pure and swappable function. This is the flat tariff of the first version, kept
// for sites that want it (ONECARD_TARIFF=flat); the data-driven tariff engine is core/tariff/,
// and both reach core/ledger.ts through the Pricer of core/pricing.ts.
import type { ConcessionName, DirectionName } from '../protos/codec.js';
import { ConcessionFlag } from './card.js';

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
  concession: ConcessionName;
}

export type FareFn = (input: FareInput) => FareQuote;

export interface FlatTariff {
  /** Bus: one tap, one flat fare. */
  busFlatFen: number;
  /** Metro: nothing at entry, a flat fare at exit. */
  metroFlatFen: number;
}

export const defaultFlatTariff: FlatTariff = { busFlatFen: 200, metroFlatFen: 300 };

/** Free groups first (they ride free whatever else they are), then the student half fare. */
export function concessionFor(flags: number): ConcessionName {
  if (flags & ConcessionFlag.SENIOR) return 'senior_free';
  if (flags & ConcessionFlag.DISABLED) return 'disabled_free';
  if (flags & ConcessionFlag.STUDENT) return 'student_half';
  return 'none';
}

export function applyConcession(baseFen: number, concession: ConcessionName): number {
  switch (concession) {
    case 'senior_free':
    case 'disabled_free':
      return 0;
    // Half fare rounds down to the fen: the rider never pays more than half.
    case 'student_half':
      return Math.floor(baseFen / 2);
    case 'none':
      return baseFen;
  }
}

export function flatFare(tariff: FlatTariff = defaultFlatTariff): FareFn {
  return ({ direction, flags }) => {
    const baseFen =
      direction === 'board' ? tariff.busFlatFen : direction === 'exit' ? tariff.metroFlatFen : 0;
    const concession = baseFen === 0 ? 'none' : concessionFor(flags);
    return { baseFen, fareFen: applyConcession(baseFen, concession), concession };
  };
}
