// Pure planning of reservations, walk-ins and purchases (文化场馆线上预约, 景区购票): (venue,
// request, what the store knows, now) → a booking to place and the capacity counter it takes,
// or a refusal. The store enforces the counter atomically (count + seats <= limit); the service
// pays (payment.ts) and tells the gates. No I/O, no clock.
import { ConcessionFlag } from '../card.js';
import type { Entitlement } from '../facts.js';
import { localDay, localMinute } from '../time.js';
import { type BookingRules, productOf, type Slot, slotOf, type Venue, type VenueRefusal } from './model.js';

export type BookingStatus = 'pending' | 'confirmed' | 'cancelled' | 'used' | 'no_show';
export type Channel = 'online' | 'walk_in';

/** One reservation, ticket or annual pass, for one or more named holders. */
export interface Booking {
  /** Stable, derived from the payer and the request id: a retried request finds it. */
  id: string;
  venueId: string;
  productId: string;
  kind: Entitlement['kind'];
  channel: Channel;
  /** Who booked and pays (card token). */
  payerToken: string;
  /** Each holder's card token; the gate admits each card on its own entitlement. */
  holders: string[];
  fromDay: number;
  toDay: number;
  slotStartMin: number;
  slotEndMin: number;
  maxEntries: number;
  /** Total price, fen, after concessions. */
  priceFen: number;
  /** Total before concessions (what the concession holders did not pay is listFen - priceFen). */
  listFen: number;
  status: BookingStatus;
  /** Capacity counter the booking holds ('' none) and how many places. */
  counter: string;
  seats: number;
  createdAt: number;
}

export interface Holder {
  token: string;
  flags: number;
}

export interface BookRequest {
  id: string;
  productId: string;
  day: number;
  /** Museums: the slot's start; ignored for tickets and passes. */
  slotStartMin: number;
  payerToken: string;
  holders: Holder[];
  channel: Channel;
}

export interface BookPlan {
  booking: Booking;
  /** The store refuses the booking (VENUE_FULL) when the counter would pass limit; none: no limit. */
  limit: number | null;
}

export type PlanResult<T> = { ok: true; plan: T } | { ok: false; refusal: VenueRefusal; detail: string };

const refuse = (refusal: VenueRefusal, detail: string) => ({ ok: false, refusal, detail }) as const;

export function slotCounter(day: number, startMin: number): string {
  return `slot:${day}:${startMin}`;
}

export function dayCounter(day: number): string {
  return `day:${day}`;
}

const isSenior = (h: Holder) => (h.flags & ConcessionFlag.SENIOR) !== 0;

/**
 * Plans a museum reservation or walk-in. Rules, in order: product, slot, day within the
 * horizon, slot still open (same day: closes closeBeforeEndMin before its end; a walk-in only
 * during its slot), party size, no-show block of any holder. Online bookings and walk-ins of
 * others leave the seniors' quota free; a party of seniors walking in may use it.
 */
export function planReservation(
  venue: Venue,
  req: BookRequest,
  noShowDays: ReadonlyMap<string, readonly number[]>,
  now: number,
): PlanResult<BookPlan> {
  const product = productOf(venue, req.productId);
  if (product?.kind !== 'reservation' || !venue.booking)
    return refuse('VENUE_PRODUCT_UNKNOWN', `no reservation product ${req.productId} at ${venue.id}`);
  const rules = venue.booking;
  const slot = slotOf(venue, req.slotStartMin);
  if (!slot) return refuse('VENUE_SLOT_UNKNOWN', `no slot starting at minute ${req.slotStartMin}`);
  const today = localDay(now);
  const minute = localMinute(now);
  if (req.channel === 'walk_in') {
    if (req.day !== today || minute < slot.startMin || minute >= slot.endMin)
      return refuse('VENUE_WALK_IN_CLOSED', 'walk-ins are taken for the current slot only');
  } else {
    if (req.day < today || req.day > today + rules.horizonDays)
      return refuse('VENUE_DAY_OUT_OF_RANGE', `bookable from today to ${rules.horizonDays} days ahead`);
    if (req.day === today && minute >= slot.endMin - rules.closeBeforeEndMin)
      return refuse('VENUE_SLOT_CLOSED', 'booking for this slot has closed');
  }
  const party = checkParty(req, rules);
  if (party) return party;
  const blocked = req.holders.find((h) => noShowBlocked(rules, noShowDays.get(h.token) ?? [], today));
  if (blocked) return refuse('VENUE_NO_SHOW_BLOCKED', 'booking is blocked after repeated no-shows');
  const seniorsWalkingIn = req.channel === 'walk_in' && req.holders.every(isSenior);
  const limit = seniorsWalkingIn ? slot.capacity : slot.capacity - rules.seniorWalkInQuota;
  return {
    ok: true,
    plan: {
      booking: bookingOf(venue, req, slot, {
        kind: 'reservation',
        priceFen: priceOf(product.priceFen, product.freeFor, req.holders),
        listFen: product.priceFen * req.holders.length,
        toDay: req.day,
        maxEntries: 1,
        counter: slotCounter(req.day, slot.startMin),
        createdAt: now,
      }),
      limit: Math.max(0, limit),
    },
  };
}

/**
 * Plans a scenic-area ticket (for one day, counted against the daily capacity) or an annual
 * pass (旅游年卡: validityDays from its first day, maxEntries over them, not counted: its
 * holders are counted at the gate). Concession holders pay nothing but still take a place.
 */
export function planPurchase(venue: Venue, req: BookRequest, now: number): PlanResult<BookPlan> {
  const product = productOf(venue, req.productId);
  if (!product || product.kind === 'reservation')
    return refuse('VENUE_PRODUCT_UNKNOWN', `no ticket or pass ${req.productId} at ${venue.id}`);
  const today = localDay(now);
  const horizon = venue.booking?.horizonDays ?? 0;
  if (req.day < today || req.day > today + horizon)
    return refuse('VENUE_DAY_OUT_OF_RANGE', `on sale from today to ${horizon} days ahead`);
  if (req.day === today && localMinute(now) >= venue.closeMin)
    return refuse('VENUE_SLOT_CLOSED', 'the venue has closed for today');
  if (req.holders.length < 1 || req.holders.length > (venue.booking?.maxParty ?? 1))
    return refuse('VENUE_PARTY_TOO_LARGE', `one purchase names 1 to ${venue.booking?.maxParty ?? 1} holders`);
  const ticket = product.kind === 'ticket';
  return {
    ok: true,
    plan: {
      booking: bookingOf(
        venue,
        req,
        { startMin: venue.openMin, endMin: venue.closeMin, capacity: 0 },
        {
          kind: product.kind,
          priceFen: priceOf(product.priceFen, product.freeFor, req.holders),
          listFen: product.priceFen * req.holders.length,
          toDay: req.day + product.validityDays - 1,
          maxEntries: product.maxEntries,
          counter: ticket && venue.capacity.daily > 0 ? dayCounter(req.day) : '',
          createdAt: now,
        },
      ),
      limit: ticket && venue.capacity.daily > 0 ? venue.capacity.daily : null,
    },
  };
}

/**
 * A booking may be cancelled (and refunded, and its place freed) while it is confirmed or
 * awaiting payment and its validity has not begun: before the slot starts, or before the
 * venue opens on the first day.
 */
export function checkCancel(booking: Booking, now: number): VenueRefusal | undefined {
  if (booking.status !== 'confirmed' && booking.status !== 'pending') return 'VENUE_NOT_CANCELLABLE';
  const today = localDay(now);
  if (today > booking.fromDay || (today === booking.fromDay && localMinute(now) >= booking.slotStartMin))
    return 'VENUE_NOT_CANCELLABLE';
  return undefined;
}

/** The gate-side entitlement of each holder (what the venue's allow list carries). */
export function entitlementsOf(booking: Booking): Array<{ token: string; entitlement: Entitlement }> {
  return booking.holders.map((token, i) => ({
    token,
    entitlement: {
      kind: booking.kind,
      venueId: booking.venueId,
      id: booking.holders.length === 1 ? booking.id : `${booking.id}.${i + 1}`,
      fromDay: booking.fromDay,
      toDay: booking.toDay,
      slotStartMin: booking.slotStartMin,
      slotEndMin: booking.slotEndMin,
      maxEntries: booking.maxEntries,
    },
  }));
}

/**
 * Repeated no-shows block booking: noShowLimit no-shows within the last noShowWindowDays block
 * it until blockDays after the latest of them.
 */
export function noShowBlocked(rules: BookingRules, days: readonly number[], today: number): boolean {
  if (rules.noShowLimit === 0) return false;
  const recent = days.filter((d) => d < today && d >= today - rules.noShowWindowDays);
  if (recent.length < rules.noShowLimit) return false;
  return today <= Math.max(...recent) + rules.blockDays;
}

/** A confirmed reservation is a no-show once its slot (and the gate's tolerance after it) ended. */
export function isNoShow(booking: Booking, now: number, toleranceAfterMin: number): boolean {
  if (booking.kind !== 'reservation' || booking.status !== 'confirmed') return false;
  const today = localDay(now);
  return (
    today > booking.fromDay ||
    (today === booking.fromDay && localMinute(now) >= booking.slotEndMin + toleranceAfterMin)
  );
}

function checkParty(req: BookRequest, rules: BookingRules) {
  if (req.holders.length < 1 || req.holders.length > rules.maxParty)
    return refuse('VENUE_PARTY_TOO_LARGE', `one booking names 1 to ${rules.maxParty} people`);
  if (new Set(req.holders.map((h) => h.token)).size !== req.holders.length)
    return refuse('VENUE_PARTY_TOO_LARGE', 'each person in a booking has their own card');
  return undefined;
}

function priceOf(priceFen: number, freeFor: readonly string[], holders: readonly Holder[]): number {
  const bits = freeFor.reduce((f, c) => f | ConcessionFlag[c as keyof typeof ConcessionFlag], 0);
  return holders.reduce((sum, h) => sum + ((h.flags & bits) !== 0 ? 0 : priceFen), 0);
}

function bookingOf(
  venue: Venue,
  req: BookRequest,
  slot: Slot,
  p: Pick<Booking, 'kind' | 'priceFen' | 'listFen' | 'toDay' | 'maxEntries' | 'counter' | 'createdAt'>,
): Booking {
  return {
    id: req.id,
    venueId: venue.id,
    productId: req.productId,
    channel: req.channel,
    payerToken: req.payerToken,
    holders: req.holders.map((h) => h.token),
    fromDay: req.day,
    slotStartMin: slot.startMin,
    slotEndMin: slot.endMin,
    // Nothing to pay: confirmed at once; otherwise confirmed when the payment commits.
    status: p.priceFen === 0 ? 'confirmed' : 'pending',
    seats: p.counter === '' ? 0 : req.holders.length,
    ...p,
  };
}
