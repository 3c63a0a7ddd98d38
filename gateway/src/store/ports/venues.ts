// The store's venue part (Store.venues): bookings with their capacity counters, no-shows and
// live occupancy. Both adapters (sqlite-venues.ts, redis-venues.ts) keep all of one venue's
// data together (one transaction; one Redis hash tag {v:<venue>}), and one contract suite
// (test/gateway/store/contract-venues.ts) runs against both. Card money moves through
// Store.commit (core/venue/payment.ts), never here.
import type { Booking, BookingStatus } from '../../../../core/venue/booking.js';
import type { Occupancy } from '../../../../core/venue/occupancy.js';
import type { EntryKind, VenueDayCounts } from '../../stats/venues.js';

export type PlaceOutcome =
  /** Written now; the counter (if any) grew by the booking's seats. */
  | { status: 'placed'; booking: Booking }
  /** A booking with this id exists: nothing changed; the stored one (retried request). */
  | { status: 'duplicate'; booking: Booking }
  /** The counter would pass the limit: nothing changed. */
  | { status: 'full'; booking: Booking };

/** Statuses that hold their seats; leaving them for cancelled frees the seats. */
export const HOLDING: readonly BookingStatus[] = ['pending', 'confirmed'];

export interface PassageInput {
  venueId: string;
  /** Exactly once per passage: the visit record's id. */
  id: string;
  day: number;
  direction: 'entry' | 'exit';
  /** Local hour of the day (0-23) the visits-per-hour counter it adds to (stats/venues.ts). */
  hour: number;
  /** What admitted an entry (annual-pass use); 'none' for exits. */
  kind: EntryKind;
}

export interface VenueStore {
  /**
   * Atomically: a known id answers duplicate; otherwise, when limit is not null and the
   * booking's counter + seats would pass it, full; otherwise the booking is written, indexed
   * by day and by every holder and the payer, and its seats added to its counter.
   */
  placeBooking(booking: Booking, limit: number | null): Promise<PlaceOutcome>;
  /**
   * Atomically moves a booking whose status is one of `from` to `to` (freeing its seats when
   * it goes to cancelled). undefined for an unknown booking; changed false when its status was
   * not in `from` (the booking as it is).
   */
  transitionBooking(
    venueId: string,
    id: string,
    from: readonly BookingStatus[],
    to: BookingStatus,
  ): Promise<{ changed: boolean; booking: Booking } | undefined>;
  getBooking(venueId: string, id: string): Promise<Booking | undefined>;
  /** Bookings a card holds or paid for at a venue, oldest first. */
  bookingsOfCard(venueId: string, token: string): Promise<Booking[]>;
  /** Bookings whose validity starts on day, oldest first. */
  bookingsOfDay(venueId: string, day: number): Promise<Booking[]>;
  /** Bookings awaiting payment, oldest first (the sweeper's work list; usually a handful). */
  pendingBookings(venueId: string): Promise<Booking[]>;
  /** Current counts (0 for a counter never used). */
  counters(venueId: string, keys: readonly string[]): Promise<Map<string, number>>;
  /** Records a no-show of a card on a day (idempotent). */
  addNoShow(venueId: string, token: string, day: number): Promise<void>;
  noShowDays(venueId: string, tokens: readonly string[]): Promise<Map<string, number[]>>;
  /**
   * Counts an entry (inside + 1, entries + 1) or an exit (inside - 1, never below 0) of the
   * day, and its hour and kind counters (stats/venues.ts passageFields), once per passage id. Returns occupancy before and after (equal when not applied).
   */
  recordPassage(p: PassageInput): Promise<{ applied: boolean; before: Occupancy; after: Occupancy }>;
  occupancy(venueId: string, day: number): Promise<Occupancy>;
  /**
   * The day's visit counters recordPassage keeps with the occupancy (docs/decisions/0135):
   * entries and exits per local hour, entries per entitlement kind.
   */
  dayCounts(venueId: string, day: number): Promise<VenueDayCounts>;
}
