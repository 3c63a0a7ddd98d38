// Venue purchases and reservations through the card (景区购票, 文化场馆线上预约): plan in
// core/venue, hold the place in the store (capacity checked atomically), pay with the card's
// account exactly once (Store.commit, like a top-up), confirm, and put the entitlements on the
// venue's allow list for its gates. Every step is idempotent, so a request retried with the
// same id after any failure finishes the work once (docs/decisions/0140-…).
import { createHash } from 'node:crypto';
import type { CardState } from '../../../core/card.js';
import type { Entitlement } from '../../../core/facts.js';
import type { Effect } from '../../../core/ledger.js';
import { localDay, localMinute } from '../../../core/time.js';
import {
  type Booking,
  type BookPlan,
  type Channel,
  checkCancel,
  dayCounter,
  entitlementsOf,
  type PlanResult,
  planPurchase,
  planReservation,
  slotCounter,
} from '../../../core/venue/booking.js';
import type { Venue, VenueRefusal } from '../../../core/venue/model.js';
import { type SlotAvailability, slotAvailability } from '../../../core/venue/occupancy.js';
import { planPayment, planRefund, purchaseRecordId } from '../../../core/venue/payment.js';
import type { LedgerStore, StoreParts } from '../store/port.js';
import { VenueError } from './errors.js';
import type { VenueCounters } from './metrics.js';

/** Where entitlements go to reach the gates: the signed list service (gateway/src/lists/). */
export interface EntitlementSink {
  changeEntitlements(
    venueId: string,
    put: ReadonlyArray<{ token: string; entitlement: Omit<Entitlement, 'venueId'> }>,
    remove?: ReadonlyArray<{ token: string; id: string }>,
  ): Promise<unknown>;
}

export interface BookInput {
  requestId: string;
  productId: string;
  day: number;
  slotStartMin: number;
  payerToken: string;
  /** Holders' tokens; the payer alone when empty. */
  holderTokens: string[];
  channel: Channel;
}

export interface VenueServiceOptions {
  store: LedgerStore & Pick<StoreParts, 'venues'>;
  venues: ReadonlyMap<string, Venue>;
  entitlements: EntitlementSink;
  counters?: VenueCounters;
  now: () => number;
}

const MAX_ROUNDS = 20;

export class VenueService {
  constructor(private readonly opts: VenueServiceOptions) {}

  list(): Venue[] {
    return [...this.opts.venues.values()];
  }

  find(venueId: string): Venue | undefined {
    return this.opts.venues.get(venueId);
  }

  venue(venueId: string): Venue {
    const venue = this.opts.venues.get(venueId);
    if (!venue) throw new VenueError('VENUE_NOT_FOUND', `no venue ${venueId}`);
    return venue;
  }

  /** Places per slot (museums) and tickets sold against the daily capacity, for one day. */
  async availability(
    venueId: string,
    day: number,
  ): Promise<{ slots: SlotAvailability[]; daily: { capacity: number; sold: number } }> {
    const venue = this.venue(venueId);
    const keys = [...venue.slots.map((s) => slotCounter(day, s.startMin)), dayCounter(day)];
    const counts = await this.opts.store.venues.counters(venueId, keys);
    const quota = venue.booking?.seniorWalkInQuota ?? 0;
    return {
      slots: venue.slots.map((s) =>
        slotAvailability(s, quota, counts.get(slotCounter(day, s.startMin)) ?? 0),
      ),
      daily: { capacity: venue.capacity.daily, sold: counts.get(dayCounter(day)) ?? 0 },
    };
  }

  bookingId(venueId: string, payerToken: string, requestId: string): string {
    const h = createHash('sha256').update(`${venueId}\n${payerToken}\n${requestId}`).digest('hex');
    return `bk${h.slice(0, 22)}`;
  }

  /** Reserve, walk in, buy a ticket or a pass. Idempotent by (payer, requestId). */
  async book(venueId: string, input: BookInput): Promise<Booking> {
    const venue = this.venue(venueId);
    const { store, now } = this.opts;
    const id = this.bookingId(venueId, input.payerToken, input.requestId);
    const known = await store.venues.getBooking(venueId, id);
    if (known) return this.finish(venue, known);
    const holderTokens = input.holderTokens.length > 0 ? input.holderTokens : [input.payerToken];
    const cards = await this.knownCards([input.payerToken, ...holderTokens]);
    const payer = cards.get(input.payerToken)!;
    const req = {
      id,
      productId: input.productId,
      day: input.day,
      slotStartMin: input.slotStartMin,
      payerToken: input.payerToken,
      holders: holderTokens.map((t) => ({ token: t, flags: cards.get(t)!.flags })),
      channel: input.channel,
    };
    const isReservation = venue.products.find((p) => p.id === input.productId)?.kind === 'reservation';
    let planned: PlanResult<BookPlan>;
    if (isReservation) {
      const noShows = await store.venues.noShowDays(venueId, holderTokens);
      planned = planReservation(venue, req, noShows, now());
    } else planned = planPurchase(venue, req, now());
    if (!planned.ok) throw this.refused(venue, 'refused', planned.refusal, planned.detail);
    const { booking, limit } = planned.plan;
    if (isReservation) await this.checkNotBooked(venue, booking);
    if (booking.priceFen > payer.balanceFen)
      throw this.refused(venue, booking.kind, 'VENUE_INSUFFICIENT_BALANCE', 'the card balance is too low');
    const placed = await store.venues.placeBooking(booking, limit);
    if (placed.status === 'full')
      throw this.refused(venue, booking.kind, 'VENUE_FULL', 'no places left for this day or slot');
    return this.finish(venue, placed.booking);
  }

  /**
   * A walk-in registered at the desk (by card) for the slot running now, up to the places
   * left; seniors walking in may also use their quota (core/venue/booking.ts).
   */
  async walkIn(
    venueId: string,
    input: Pick<BookInput, 'requestId' | 'productId' | 'payerToken' | 'holderTokens'>,
  ): Promise<Booking> {
    const venue = this.venue(venueId);
    const now = this.opts.now();
    const minute = localMinute(now);
    const slot = venue.slots.find((s) => minute >= s.startMin && minute < s.endMin);
    if (!slot) throw new VenueError('VENUE_WALK_IN_CLOSED', 'no slot is running now');
    return this.book(venueId, {
      ...input,
      day: localDay(now),
      slotStartMin: slot.startMin,
      channel: 'walk_in',
    });
  }

  /** Cancels a confirmed booking before it begins: place freed, money back, off the gates' list. */
  async cancel(venueId: string, bookingId: string, payerToken: string): Promise<Booking> {
    const venue = this.venue(venueId);
    const { store, now } = this.opts;
    const booking = await store.venues.getBooking(venueId, bookingId);
    if (!booking || booking.payerToken !== payerToken)
      throw new VenueError('BOOKING_NOT_FOUND', `no booking ${bookingId} of this card`);
    // A retried cancel finds it cancelled: finish the refund and the list change again (both
    // idempotent) rather than refuse.
    if (booking.status !== 'cancelled') {
      if (booking.status === 'pending')
        throw new VenueError(
          'VENUE_NOT_CANCELLABLE',
          'a booking awaiting payment is finished by retrying its request',
        );
      const refusal = checkCancel(booking, now());
      if (refusal) throw new VenueError(refusal, `a ${booking.status} booking cannot be cancelled now`);
      const moved = await store.venues.transitionBooking(venueId, bookingId, ['confirmed'], 'cancelled');
      if (!moved?.changed)
        throw new VenueError('VENUE_NOT_CANCELLABLE', `the booking is ${moved?.booking.status ?? 'gone'}`);
    }
    // Refunded only what was paid: a booking cancelled for want of balance never was.
    if (await this.paid(booking))
      await this.commitMoney(booking.payerToken, (card) =>
        planRefund(card, booking, venue.operatorId, now()),
      );
    await this.opts.entitlements.changeEntitlements(
      venueId,
      [],
      entitlementsOf(booking).map((e) => ({ token: e.token, id: e.entitlement.id })),
    );
    return { ...booking, status: 'cancelled' };
  }

  async bookingsOf(venueId: string, token: string): Promise<Booking[]> {
    this.venue(venueId);
    return this.opts.store.venues.bookingsOfCard(venueId, token);
  }

  /**
   * Pays a pending booking (exactly once: the payment's dedupe key), confirms it, and puts its
   * entitlements on the venue's list. A booking the balance no longer covers is cancelled,
   * which frees its places.
   */
  async finish(venue: Venue, booking: Booking): Promise<Booking> {
    const { store, now } = this.opts;
    let current = booking;
    if (current.status === 'pending') {
      const paid = await this.commitMoney(current.payerToken, (card) =>
        planPayment(card, current, venue.operatorId, now()),
      );
      if (!paid) {
        await store.venues.transitionBooking(venue.id, current.id, ['pending'], 'cancelled');
        throw this.refused(venue, current.kind, 'VENUE_INSUFFICIENT_BALANCE', 'the card balance is too low');
      }
      const moved = await store.venues.transitionBooking(venue.id, current.id, ['pending'], 'confirmed');
      if (moved) current = moved.booking;
    }
    // Cancelled while its payment went through (the sweeper gave up on it a moment before a
    // retry paid): the money goes back, once.
    if (current.status === 'cancelled' && (await this.paid(current)))
      await this.commitMoney(current.payerToken, (card) =>
        planRefund(card, current, venue.operatorId, now()),
      );
    if (current.status === 'confirmed') {
      await this.opts.entitlements.changeEntitlements(
        venue.id,
        entitlementsOf(current).map(({ token, entitlement: { venueId: _, ...e } }) => ({
          token,
          entitlement: e,
        })),
      );
      this.opts.counters?.bookings.inc({ venue: venue.id, kind: current.kind, outcome: 'confirmed' });
    }
    return current;
  }

  /**
   * Commits a money effect on a card, re-planning on a version conflict. false when a charge
   * is no longer covered by the balance (checked on every round: no credit at a till).
   */
  private async commitMoney(token: string, plan: (card: CardState) => Effect): Promise<boolean> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const card = (await this.opts.store.loadCards([token])).get(token)!;
      const effect = plan(card);
      // A charge the balance does not cover: unless it committed before (a retry after the
      // payment went through), it is refused.
      if (effect.newBalanceFen < 0 && effect.record.amountFen < 0)
        return (await this.opts.store.committedResult(token, effect.dedupeKey)) !== undefined;
      const [outcome] = await this.opts.store.commit([effect]);
      if (outcome && outcome.status !== 'conflict') return true;
    }
    throw new VenueError('VENUE_CONFLICT', 'the card is changing too fast; try again');
  }

  /** Whether the booking's payment committed (free bookings never pay). */
  async paid(booking: Booking): Promise<boolean> {
    if (booking.priceFen === 0) return false;
    const result = await this.opts.store.committedResult(booking.payerToken, purchaseRecordId(booking.id));
    return result !== undefined;
  }

  private async checkNotBooked(venue: Venue, booking: Booking): Promise<void> {
    // Real-name booking: one reservation per person per venue and day (how national museums
    // stop scalpers), whatever the slot.
    for (const token of booking.holders) {
      const held = await this.opts.store.venues.bookingsOfCard(venue.id, token);
      if (
        held.some(
          (b) =>
            b.kind === 'reservation' &&
            b.fromDay === booking.fromDay &&
            b.holders.includes(token) &&
            (b.status === 'confirmed' || b.status === 'pending' || b.status === 'used'),
        )
      )
        throw this.refused(venue, 'reservation', 'VENUE_ALREADY_BOOKED', 'already booked for this day');
    }
  }

  private async knownCards(tokens: readonly string[]): Promise<Map<string, CardState>> {
    const cards = await this.opts.store.loadCards([...new Set(tokens)]);
    for (const card of cards.values()) {
      if (!card.known) throw new VenueError('VENUE_CARD_UNKNOWN', 'a card in the request is not known here');
      if (card.status !== 'active')
        throw new VenueError('VENUE_CARD_NOT_ACTIVE', 'a card in the request is reported lost or frozen');
    }
    return cards;
  }

  private refused(venue: Venue, kind: string, code: VenueRefusal, detail: string): VenueError {
    this.opts.counters?.bookings.inc({ venue: venue.id, kind, outcome: code });
    return new VenueError(code, detail);
  }

  now(): number {
    return this.opts.now();
  }

  today(): number {
    return localDay(this.opts.now());
  }
}
