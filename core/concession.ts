// Concessions (优惠/免费群体) as data: the groups a card may belong to, each a short name with
// a bit in the card's flags (CardState.flags). Four are built in (core/card.ts ConcessionFlag);
// a tariff may define more (core/tariff/model.ts TariffDoc.concessions), and its rider
// categories price them on the gateway. Devices get a card's concessions as one byte on the
// flags list, where a tariff's own concessions travel as what the device needs to decide
// offline (rides free or not): docs/decisions/0186-concessions-as-data.md.
import { ConcessionFlag } from './card.js';
import type { AppliedConcessionName } from './tap.js';

export type { AppliedConcessionName };

/**
 * A concession a card holds, as the card API and venue files name it: 'SENIOR', or one a
 * tariff defines ('BLOOD_DONOR'). Tariffs write the same names in lower case ('senior').
 */
export type ConcessionName = string;

export const CONCESSION_NAME = /^[A-Z][A-Z0-9_]{0,23}$/;

export interface ConcessionDef {
  name: ConcessionName;
  /** Its bit in a card's flags: the built-in ones 1 to 8, a tariff's 256 and up. */
  bit: number;
  /** Some rider category of the tariff lets it ride free: the device says so offline too. */
  ridesFree: boolean;
}

/** Lowest bit a tariff's concession may take: the device byte's bits stay the built-in ones. */
export const FIRST_TARIFF_BIT = 256;
/** Highest: card flags are kept as 32-bit integers by the stores' scripts. */
export const LAST_TARIFF_BIT = 2 ** 30;

/**
 * Bit of the flags list's byte (never of a card's flags) saying the card holds a concession its
 * tariff defines and lets ride free. Bits 1 to 8 are the built-in concessions, as on the card.
 */
export const DEVICE_RIDES_FREE = 16;

export const builtInConcessions: readonly ConcessionDef[] = Object.entries(ConcessionFlag).map(
  ([name, bit]) => ({ name, bit, ridesFree: false }),
);

export interface ConcessionRegistry {
  /** Built-in concessions first, then the tariff's, in its order. */
  readonly defs: readonly ConcessionDef[];
  /** Every name a card may hold, for API schemas. */
  readonly names: readonly ConcessionName[];
  /** The bit of a name, in either case; undefined for a name nobody defined. */
  bitOf(name: string): number | undefined;
  /** The names of a card's flags, in registry order. */
  namesOf(flags: number): ConcessionName[];
  /** A card's flags from names the caller has checked with bitOf. */
  flagsOf(names: readonly string[]): number;
  /** The byte the devices' flags list carries for a card with these flags (0: not listed). */
  deviceFlags(flags: number): number;
}

export function concessionRegistry(defined: readonly ConcessionDef[] = []): ConcessionRegistry {
  const defs = [...builtInConcessions, ...defined];
  const bits = new Map(defs.map((d) => [d.name, d.bit]));
  const builtInMask = builtInConcessions.reduce((m, d) => m | d.bit, 0);
  const freeMask = defined.reduce((m, d) => (d.ridesFree ? m | d.bit : m), 0);
  return {
    defs,
    names: defs.map((d) => d.name),
    bitOf: (name) => bits.get(name.toUpperCase()),
    namesOf: (flags) => defs.filter((d) => (flags & d.bit) !== 0).map((d) => d.name),
    flagsOf: (names) => names.reduce((f, n) => f | (bits.get(n.toUpperCase()) ?? 0), 0),
    deviceFlags: (flags) => (flags & builtInMask) | ((flags & freeMask) !== 0 ? DEVICE_RIDES_FREE : 0),
  };
}

/** The built-in concessions only (the flat fare, and a tariff that defines none). */
export const builtInRegistry = concessionRegistry();

/**
 * Which concession a device applies from the flags it holds for a card: free groups first (they
 * ride free whatever else they are), a tariff's free concession among them, then the student
 * half fare.
 */
export function concessionFor(flags: number): AppliedConcessionName {
  if (flags & ConcessionFlag.SENIOR) return 'senior_free';
  if (flags & ConcessionFlag.DISABLED) return 'disabled_free';
  if (flags & DEVICE_RIDES_FREE) return 'tariff_free';
  if (flags & ConcessionFlag.STUDENT) return 'student_half';
  return 'none';
}

export function ridesFree(concession: AppliedConcessionName): boolean {
  return concession === 'senior_free' || concession === 'disabled_free' || concession === 'tariff_free';
}

export function applyConcession(baseFen: number, concession: AppliedConcessionName): number {
  switch (concession) {
    case 'senior_free':
    case 'disabled_free':
    case 'tariff_free':
      return 0;
    // Half fare rounds down to the fen: the rider never pays more than half.
    case 'student_half':
      return Math.floor(baseFen / 2);
    case 'none':
      return baseFen;
  }
}
