// Store.venues: bookings within capacity, exactly once, seats freed on cancel, indexes,
// no-shows and occupancy; and committedResult for the payments made through Store.commit.
import { describe, expect, it } from 'vitest';
import type { Booking } from '../../../core/venue/booking.js';
import { planPayment } from '../../../core/venue/payment.js';
import type { EntryKind } from '../../../gateway/src/stats/venues.js';
import type { LedgerStore, StoreParts } from '../../../gateway/src/store/port.js';
import { issue, T0, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const V = 'museum-1';
const DAY = 20_300;

function booking(id: string, over: Partial<Booking> = {}): Booking {
  return {
    id,
    venueId: V,
    productId: 'visit',
    kind: 'reservation',
    channel: 'online',
    payerToken: token(1),
    holders: [token(1)],
    fromDay: DAY,
    toDay: DAY,
    slotStartMin: 540,
    slotEndMin: 660,
    maxEntries: 1,
    priceFen: 0,
    listFen: 0,
    status: 'confirmed',
    counter: `slot:${DAY}:540`,
    seats: 1,
    createdAt: T0,
    ...over,
  };
}

export function venuesContract(h: StoreHarness<LedgerStore & Pick<StoreParts, 'venues'>>): void {
  describe('venue bookings', () => {
    it('places bookings up to the limit exactly; one over is full and changes nothing', async () => {
      const v = h.store().venues;
      expect((await v.placeBooking(booking('b1', { seats: 3 }), 5)).status).toBe('placed');
      expect((await v.placeBooking(booking('b2', { seats: 2 }), 5)).status).toBe('placed');
      expect((await v.counters(V, [`slot:${DAY}:540`])).get(`slot:${DAY}:540`)).toBe(5);
      expect((await v.placeBooking(booking('b3'), 5)).status).toBe('full');
      expect(await v.getBooking(V, 'b3')).toBeUndefined();
      expect((await v.counters(V, [`slot:${DAY}:540`, 'never'])).get('never')).toBe(0);
      // Another pool's larger limit (seniors walking in) still fits.
      expect((await v.placeBooking(booking('b4'), 6)).status).toBe('placed');
    });

    it('a booking with no counter or no limit is never full', async () => {
      const v = h.store().venues;
      expect((await v.placeBooking(booking('p1', { counter: '', seats: 0 }), null)).status).toBe('placed');
      expect((await v.placeBooking(booking('p2', { seats: 100 }), null)).status).toBe('placed');
    });

    it('a known id answers duplicate with the stored booking and takes no second place', async () => {
      const v = h.store().venues;
      await v.placeBooking(booking('b1', { status: 'pending' }), 5);
      const again = await v.placeBooking(booking('b1', { seats: 4 }), 5);
      expect(again).toEqual({ status: 'duplicate', booking: booking('b1', { status: 'pending' }) });
      expect((await v.counters(V, [`slot:${DAY}:540`])).get(`slot:${DAY}:540`)).toBe(1);
    });

    it('cancelling frees the seats once; a used booking cannot be cancelled', async () => {
      const v = h.store().venues;
      await v.placeBooking(booking('b1', { seats: 2 }), 2);
      expect((await v.placeBooking(booking('b2'), 2)).status).toBe('full');
      const cancelled = await v.transitionBooking(V, 'b1', ['confirmed'], 'cancelled');
      expect(cancelled).toEqual({ changed: true, booking: booking('b1', { seats: 2, status: 'cancelled' }) });
      expect(await v.transitionBooking(V, 'b1', ['confirmed'], 'cancelled')).toMatchObject({
        changed: false,
        booking: { status: 'cancelled' },
      });
      expect((await v.counters(V, [`slot:${DAY}:540`])).get(`slot:${DAY}:540`)).toBe(0);
      expect((await v.placeBooking(booking('b2'), 2)).status).toBe('placed');
      await v.transitionBooking(V, 'b2', ['confirmed'], 'used');
      expect(await v.transitionBooking(V, 'b2', ['confirmed'], 'cancelled')).toMatchObject({
        changed: false,
      });
      expect((await v.counters(V, [`slot:${DAY}:540`])).get(`slot:${DAY}:540`)).toBe(1);
      expect(await v.transitionBooking(V, 'nope', ['confirmed'], 'used')).toBeUndefined();
    });

    it('finds bookings by card (payer or holder) and by day, oldest first', async () => {
      const v = h.store().venues;
      await v.placeBooking(booking('b1'), null);
      await v.placeBooking(booking('b2', { holders: [token(2), token(3)], seats: 2 }), null);
      await v.placeBooking(
        booking('b3', { payerToken: token(3), holders: [token(3)], fromDay: DAY + 1 }),
        null,
      );
      expect((await v.bookingsOfCard(V, token(1))).map((b) => b.id)).toEqual(['b1', 'b2']);
      expect((await v.bookingsOfCard(V, token(3))).map((b) => b.id)).toEqual(['b2', 'b3']);
      expect((await v.bookingsOfDay(V, DAY)).map((b) => b.id)).toEqual(['b1', 'b2']);
      expect(await v.bookingsOfCard('other-venue', token(1))).toEqual([]);
      await v.transitionBooking(V, 'b1', ['confirmed'], 'used');
      expect((await v.bookingsOfDay(V, DAY))[0]!.status).toBe('used');
    });

    it('keeps bookings awaiting payment in an index they leave with their status', async () => {
      const v = h.store().venues;
      await v.placeBooking(booking('p1', { status: 'pending' }), null);
      await v.placeBooking(booking('c1'), null);
      await v.placeBooking(booking('p2', { status: 'pending', fromDay: DAY + 3 }), null);
      expect((await v.pendingBookings(V)).map((b) => b.id)).toEqual(['p1', 'p2']);
      await v.transitionBooking(V, 'p1', ['pending'], 'confirmed');
      await v.transitionBooking(V, 'p2', ['pending'], 'cancelled');
      expect(await v.pendingBookings(V)).toEqual([]);
    });

    it('two gateways placing at once never pass the limit', async () => {
      const a = h.store().venues;
      const b = (await h.open()).venues;
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).placeBooking(booking(`c${i}`), 7)),
      );
      expect(outcomes.filter((o) => o.status === 'placed')).toHaveLength(7);
      expect((await a.counters(V, [`slot:${DAY}:540`])).get(`slot:${DAY}:540`)).toBe(7);
    });

    it('keeps no-show days per card, each once', async () => {
      const v = h.store().venues;
      await v.addNoShow(V, token(1), DAY);
      await v.addNoShow(V, token(1), DAY);
      await v.addNoShow(V, token(1), DAY - 5);
      const days = await v.noShowDays(V, [token(1), token(2)]);
      expect(days.get(token(1))).toEqual([DAY - 5, DAY]);
      expect(days.get(token(2))).toEqual([]);
    });
  });

  describe('venue occupancy', () => {
    it('counts each passage once; exits never go below zero', async () => {
      const v = h.store().venues;
      const p = (id: string, direction: 'entry' | 'exit') =>
        v.recordPassage({ venueId: V, id, day: DAY, direction, hour: 10, kind: 'none' });
      expect(await p('t1', 'entry')).toEqual({
        applied: true,
        before: { inside: 0, entriesToday: 0 },
        after: { inside: 1, entriesToday: 1 },
      });
      expect((await p('t1', 'entry')).applied).toBe(false);
      await p('t2', 'entry');
      await p('t3', 'exit');
      await p('t4', 'exit');
      expect((await p('t5', 'exit')).after).toEqual({ inside: 0, entriesToday: 2 });
      expect(await v.occupancy(V, DAY)).toEqual({ inside: 0, entriesToday: 2 });
      expect(await v.occupancy(V, DAY + 1)).toEqual({ inside: 0, entriesToday: 0 });
    });

    it('keeps visits per hour and entries per kind with the occupancy, each passage once', async () => {
      const v = h.store().venues;
      const p = (id: string, direction: 'entry' | 'exit', hour: number, kind: EntryKind = 'none') =>
        v.recordPassage({ venueId: V, id, day: DAY, direction, hour, kind });
      await p('a', 'entry', 9, 'annual_pass');
      await p('a', 'entry', 9, 'annual_pass');
      await p('b', 'entry', 9, 'reservation');
      await p('c', 'entry', 10, 'annual_pass');
      await p('d', 'exit', 10);
      await p('e', 'entry', 23);
      await v.recordPassage({
        venueId: V,
        id: 'f',
        day: DAY + 1,
        direction: 'entry',
        hour: 9,
        kind: 'ticket',
      });

      const c = await v.dayCounts(V, DAY);
      expect(c.hours).toHaveLength(24);
      expect(c.hours.filter((x) => x.entries + x.exits > 0)).toEqual([
        { hour: 9, entries: 2, exits: 0 },
        { hour: 10, entries: 1, exits: 1 },
        { hour: 23, entries: 1, exits: 0 },
      ]);
      expect(c.entries).toEqual({ annual_pass: 2, reservation: 1, ticket: 0, none: 1 });
      expect(await v.occupancy(V, DAY)).toEqual({ inside: 3, entriesToday: 4 });
      expect((await v.dayCounts(V, DAY + 1)).entries.ticket).toBe(1);
      expect((await v.dayCounts('other-venue', DAY)).entries).toEqual({
        annual_pass: 0,
        reservation: 0,
        ticket: 0,
        none: 0,
      });
    });
  });

  describe('committed results', () => {
    it('answers the result a payment committed with, and nothing before', async () => {
      const store = h.store();
      const card = await issue(store, 7, 10_000);
      const effect = planPayment(
        card,
        booking('b9', { payerToken: card.token, priceFen: 3000, listFen: 3000 }),
        'op',
        T0,
      );
      expect(await store.committedResult(card.token, effect.dedupeKey)).toBeUndefined();
      await store.commit([effect]);
      expect(await store.committedResult(card.token, effect.dedupeKey)).toEqual({
        outcome: 'charged',
        chargedFen: 3000,
        balanceAfterFen: 7000,
        reason: 'OK',
      });
    });
  });
}
