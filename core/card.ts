// The card as the gateway keeps it: the state the fare function reads and the commit replaces.
import { emptyFareState, type FareState } from './tariff/state.js';
import type { EntitlementUse } from './uses.js';

export type CardStatus = 'active' | 'lost' | 'frozen';

/** Concession flags, a bitmask kept per card (优惠/免费群体). */
export const ConcessionFlag = {
  SENIOR: 1,
  DISABLED: 2,
  STUDENT: 4,
  /** Disabled servicemen and other veteran groups (e.g. Beijing's free metro riders). */
  VETERAN: 8,
} as const;

export interface CardState {
  /** 32 hex chars: the card's keyed token (core/pii.ts). */
  token: string;
  /** false for a token this gateway never issued; such taps are recorded, never charged. */
  known: boolean;
  /** Bumped by every committed change; commits compare-and-set on it. */
  version: number;
  balanceFen: number;
  status: CardStatus;
  flags: number;
  /** Masked card number for display, e.g. "A12****78". */
  masked: string;
  /** Issuing region, 6-digit administrative division code. */
  region: string;
  /** What the tariff engine remembers between taps (core/tariff/state.ts); committed with the balance. */
  fare: FareState;
  /**
   * Uses of its tickets and reservations (core/uses.ts), committed with the visits under the same
   * compare-and-set (docs/decisions/0203). Absent on a card written before that: derived once.
   */
  uses?: readonly EntitlementUse[];
}

export function unknownCard(token: string): CardState {
  return {
    token,
    known: false,
    version: 0,
    balanceFen: 0,
    status: 'active',
    flags: 0,
    masked: '',
    region: '',
    fare: emptyFareState,
  };
}
