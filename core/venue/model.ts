// Venues as data (docs/decisions/0140-venue-products-and-capacity.md): a library, a museum with
// real-name timed-entry slots, a scenic area with tickets, annual passes and a carrying
// capacity (最大承载量). Files under gateway/venues/<city>/ hold these; validate.ts checks them.
// Money is integer fen; days are core/facts.ts localDay numbers; minutes are after local midnight.
import type { ConcessionName } from '../concession.js';
import type { EntryRules } from '../entry/rules.js';

export type VenueKind = 'library' | 'museum' | 'scenic';

/** One timed-entry slot of a museum day, [startMin, endMin), with the people it admits. */
export interface Slot {
  startMin: number;
  endMin: number;
  capacity: number;
}

/** How a museum takes reservations (文化场馆线上预约), the way national museums run them. */
export interface BookingRules {
  /** Bookable from today up to today + horizonDays (inclusive). */
  horizonDays: number;
  /** People one booking may name (each by their own card: real-name, 实名). */
  maxParty: number;
  /** Places per slot kept for seniors who come without booking (no smartphone). */
  seniorWalkInQuota: number;
  /** Same-day booking closes this many minutes before a slot ends. */
  closeBeforeEndMin: number;
  /** No-shows within windowDays that block booking; 0 switches the rule off. */
  noShowLimit: number;
  noShowWindowDays: number;
  /** How long booking stays blocked after the no-show that reached the limit. */
  blockDays: number;
}

/** Carrying capacity of a scenic area; 0 means not limited. */
export interface Capacity {
  /** Visitors per day: tickets sold for the day count against it, entries are watched. */
  daily: number;
  /** Visitors inside at once (瞬时最大承载量), from entries minus exits. */
  instant: number;
  /** Share of a limit at which operators are warned (the national guideline says 80 %). */
  warnShare: number;
}

export type ProductKind = 'ticket' | 'annual_pass' | 'reservation';

export interface Product {
  id: string;
  name: string;
  kind: ProductKind;
  priceFen: number;
  /** Holders with any of these concessions pay nothing (still counted against capacity). */
  freeFor: ConcessionName[];
  /** Days the product is valid from its first day (1 for a day ticket, 365 for an annual pass). */
  validityDays: number;
  /** Entries over the validity; 0 unlimited (annual passes limited per day by the gate rules). */
  maxEntries: number;
}

export interface Venue {
  id: string;
  name: string;
  kind: VenueKind;
  operatorId: string;
  /** Opening hours, minutes after local midnight. */
  openMin: number;
  closeMin: number;
  /** Museums: the day's slots, in order, not overlapping. Empty elsewhere. */
  slots: Slot[];
  /** Museums only. */
  booking?: BookingRules;
  capacity: Capacity;
  products: Product[];
  /** Overrides of the gate profile's entry rules for every gate of the venue (gates.ts). */
  entryRules: Partial<EntryRules>;
  /** Per gate (device id): overrides over entryRules. */
  gates: Record<string, Partial<EntryRules>>;
}

/** Why a booking, purchase or cancellation is refused: stable codes the API answers with. */
export type VenueRefusal =
  | 'VENUE_PRODUCT_UNKNOWN'
  | 'VENUE_SLOT_UNKNOWN'
  | 'VENUE_DAY_OUT_OF_RANGE'
  | 'VENUE_SLOT_CLOSED'
  | 'VENUE_PARTY_TOO_LARGE'
  | 'VENUE_NO_SHOW_BLOCKED'
  | 'VENUE_FULL'
  | 'VENUE_ALREADY_BOOKED'
  | 'VENUE_INSUFFICIENT_BALANCE'
  | 'VENUE_NOT_CANCELLABLE'
  | 'VENUE_WALK_IN_CLOSED'
  | 'VENUE_CARD_NOT_ACTIVE';

export function productOf(venue: Venue, productId: string): Product | undefined {
  return venue.products.find((p) => p.id === productId);
}

export function slotOf(venue: Venue, startMin: number): Slot | undefined {
  return venue.slots.find((s) => s.startMin === startMin);
}
