// Concessions (优惠/免费群体): the groups a card may belong to, and what a device does for each
// without the tariff. A card holds them as bits of its flags (core/card.ts ConcessionFlag), the
// bits the devices' flags list carries. The gateway prices them with the tariff's rider
// categories (core/tariff/discounts.ts); the device only needs to know which concession it
// shows and what it estimates for the offline spending limit.
import { ConcessionFlag } from './card.js';
import type { AppliedConcessionName } from './tap.js';

export type { AppliedConcessionName };

/** A concession a card holds, as the card API and venue files name it ('SENIOR'). */
export type ConcessionName = keyof typeof ConcessionFlag;

/**
 * Which concession a device applies from the card's flags: free groups first (they ride free
 * whatever else they are), then the student half fare.
 */
export function concessionFor(flags: number): AppliedConcessionName {
  if (flags & ConcessionFlag.SENIOR) return 'senior_free';
  if (flags & ConcessionFlag.DISABLED) return 'disabled_free';
  if (flags & ConcessionFlag.STUDENT) return 'student_half';
  return 'none';
}

export function applyConcession(baseFen: number, concession: AppliedConcessionName): number {
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
