// The venue service over both stores (SQLite, the real Redis): capacity at its limit, the senior quota, walk-ins,
// exactly-once payment and refund, no-shows, occupancy warnings, and what reaches the gates.

import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { planPayment } from '../../../core/venue/payment.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import type { BookInput } from '../../../gateway/src/venues/service.js';
import { VenueSweeper } from '../../../gateway/src/venues/sweeper.js';
import { at, DAY } from '../../core/venue/fixtures.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';
import { balance, card, venueWorld } from './support.js';

const reserve = (payerToken: string, over: Partial<BookInput> = {}): BookInput => ({
  requestId: `req-${payerToken.slice(0, 8)}-${over.day ?? DAY + 1}`,
  productId: 'visit',
  day: DAY + 1,
  slotStartMin: 540,
  payerToken,
  holderTokens: [],
  channel: 'online',
  ...over,
});

let admin: Redis;
beforeAll(() => {
  admin = new Redis(testEnv.redisUrl());
});
afterAll(async () => {
  await admin.quit();
});

const adapters: Array<[string, () => Promise<Store>]> = [
  ['SQLite', () => openSqliteStore({ file: ':memory:' })],
  ['Redis', () => openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix })],
];
let prefix = '';

describe.each(adapters)('over %s', (_name, open) => {
  let store: Store;
  let w: ReturnType<typeof venueWorld>;

  beforeEach(async () => {
    prefix = uniqueId('ocv');
    store = await open();
    w = venueWorld(store, at(DAY, 600));
  });

  afterEach(async () => {
    await store.close();
    await unlinkPrefix(admin, prefix);
  });

  describe('museum reservations at the capacity limit', () => {
    it('takes bookings up to capacity minus the senior quota exactly; one more is full', async () => {
      const tokens = await Promise.all(Array.from({ length: 9 }, (_, i) => card(store, i + 1)));
      for (const t of tokens.slice(0, 8)) await w.service.book('museum', reserve(t));
      await expect(w.service.book('museum', reserve(tokens[8]!))).rejects.toMatchObject({
        code: 'VENUE_FULL',
        statusCode: 409,
      });
      const avail = await w.service.availability('museum', DAY + 1);
      expect(avail.slots[0]).toMatchObject({ capacity: 10, booked: 8, open: 0, seniorWalkIn: 2 });
      expect(avail.slots[1]).toMatchObject({ booked: 0, open: 8 });
    });

    it('a cancellation frees the place for the next person, and takes the entitlement off the list', async () => {
      const tokens = await Promise.all(Array.from({ length: 9 }, (_, i) => card(store, i + 1)));
      const booked = [];
      for (const t of tokens.slice(0, 8)) booked.push(await w.service.book('museum', reserve(t)));
      const cancelled = await w.service.cancel('museum', booked[0]!.id, tokens[0]!);
      expect(cancelled.status).toBe('cancelled');
      expect(w.changes.remove).toEqual([{ token: tokens[0], id: booked[0]!.id }]);
      expect((await w.service.book('museum', reserve(tokens[8]!))).status).toBe('confirmed');
    });

    it('seniors walking in use their quota once the slot is fully booked online; others cannot', async () => {
      w.clock.now = at(DAY, 550); // the 09:00 slot is running
      const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => card(store, i + 1)));
      for (const t of tokens) await w.service.book('museum', reserve(t, { day: DAY }));
      const walker = await card(store, 20);
      const seniors = [
        await card(store, 21, 0, ConcessionFlag.SENIOR),
        await card(store, 22, 0, ConcessionFlag.SENIOR),
      ];
      const third = await card(store, 23, 0, ConcessionFlag.SENIOR);
      const walkIn = { requestId: 'walk-in-0001', productId: 'visit' };
      await expect(
        w.service.walkIn('museum', { ...walkIn, payerToken: walker, holderTokens: [walker] }),
      ).rejects.toMatchObject({ code: 'VENUE_FULL' });
      const admitted = await w.service.walkIn('museum', {
        requestId: 'walk-in-0002',
        productId: 'visit',
        payerToken: seniors[0]!,
        holderTokens: seniors,
      });
      expect(admitted).toMatchObject({
        status: 'confirmed',
        channel: 'walk_in',
        fromDay: DAY,
        slotStartMin: 540,
      });
      await expect(
        w.service.walkIn('museum', {
          requestId: 'walk-in-0003',
          productId: 'visit',
          payerToken: third,
          holderTokens: [third],
        }),
      ).rejects.toMatchObject({ code: 'VENUE_FULL' });
    });

    it('one reservation per person and day; a retried request answers the same booking', async () => {
      const a = await card(store, 1);
      const first = await w.service.book('museum', reserve(a));
      expect(await w.service.book('museum', reserve(a))).toEqual(first);
      await expect(
        w.service.book('museum', reserve(a, { requestId: 'another-req', slotStartMin: 660 })),
      ).rejects.toMatchObject({ code: 'VENUE_ALREADY_BOOKED' });
      expect((await w.service.availability('museum', DAY + 1)).slots[0]!.booked).toBe(1);
      expect(w.changes.put.map((p) => p.entitlement)).toEqual([
        {
          kind: 'reservation',
          id: first.id,
          fromDay: DAY + 1,
          toDay: DAY + 1,
          slotStartMin: 540,
          slotEndMin: 660,
          maxEntries: 1,
        },
        expect.objectContaining({ id: first.id }),
      ]);
    });

    it('three no-shows (each settled once) block booking', async () => {
      const a = await card(store, 1);
      for (const d of [DAY - 3, DAY - 2, DAY - 1]) {
        w.clock.now = at(d - 1, 600);
        await w.service.book('museum', reserve(a, { day: d }));
        expect((await w.passages.settleNoShows('museum', d, at(d, 689))).marked).toBe(0); // the gate's grace is not over
        expect((await w.passages.settleNoShows('museum', d, at(d, 690))).marked).toBe(1);
        expect((await w.passages.settleNoShows('museum', d, at(d, 690))).marked).toBe(0);
      }
      w.clock.now = at(DAY, 600);
      await expect(w.service.book('museum', reserve(a))).rejects.toMatchObject({
        code: 'VENUE_NO_SHOW_BLOCKED',
        statusCode: 403,
      });
    });

    it('a reservation used at the gate is not a no-show', async () => {
      const a = await card(store, 1);
      const b = await w.service.book('museum', reserve(a));
      await w.passages.record({
        venueId: 'museum',
        id: 'tap:g1:1',
        at: at(DAY + 1, 545),
        direction: 'entry',
        entitlementId: b.id,
      });
      expect((await w.passages.settleNoShows('museum', DAY + 1, at(DAY + 2, 0))).marked).toBe(0);
      expect((await store.venues.getBooking('museum', b.id))?.status).toBe('used');
    });
  });

  describe('scenic-area tickets and passes paid with the card', () => {
    const ticket = (payerToken: string, over: Partial<BookInput> = {}): BookInput =>
      reserve(payerToken, { productId: 'day', requestId: 'buy-ticket-1', ...over });

    it('charges once however often the request is retried, with a purchase record', async () => {
      const a = await card(store, 1, 10_000);
      const first = await w.service.book('park', ticket(a));
      const again = await w.service.book('park', ticket(a));
      expect(first).toMatchObject({ status: 'confirmed', priceFen: 3000 });
      expect(again).toEqual(first);
      expect(await balance(store, a)).toBe(7000);
      const records = (await store.queryRecords({ cardToken: a, limit: 10 })).items;
      expect(records.map((r) => [r.kind, r.amountFen, r.venueId])).toEqual([['purchase', -3000, 'park']]);
    });

    it('seniors and the disabled enter free but still count against the daily capacity', async () => {
      const s = await card(store, 1, 0, ConcessionFlag.SENIOR);
      const b = await w.service.book('park', ticket(s));
      expect(b).toMatchObject({ status: 'confirmed', priceFen: 0 });
      expect((await w.service.availability('park', DAY + 1)).daily).toEqual({ capacity: 100, sold: 1 });
    });

    it('refuses a card reported lost, and a card never issued here', async () => {
      const a = await card(store, 1, 10_000);
      await store.setCardStatus(a, 'lost');
      await expect(w.service.book('park', ticket(a))).rejects.toMatchObject({
        code: 'VENUE_CARD_NOT_ACTIVE',
        statusCode: 403,
      });
      const stranger = 'f'.repeat(32);
      await expect(w.service.book('park', ticket(stranger))).rejects.toMatchObject({
        code: 'VENUE_CARD_UNKNOWN',
      });
      expect((await w.service.availability('park', DAY + 1)).daily.sold).toBe(0);
    });

    it('refuses a balance too low: nothing charged, no place held', async () => {
      const a = await card(store, 1, 2_999);
      await expect(w.service.book('park', ticket(a))).rejects.toMatchObject({
        code: 'VENUE_INSUFFICIENT_BALANCE',
        statusCode: 402,
      });
      expect(await balance(store, a)).toBe(2_999);
      expect((await w.service.availability('park', DAY + 1)).daily.sold).toBe(0);
    });

    it('a payment committed before a crash is confirmed on retry, not charged again', async () => {
      const a = await card(store, 1, 3_000);
      const id = w.service.bookingId('park', a, 'buy-ticket-1');
      const cardState = (await store.loadCards([a])).get(a)!;
      const pending = {
        id,
        venueId: 'park',
        productId: 'day',
        kind: 'ticket' as const,
        channel: 'online' as const,
        payerToken: a,
        holders: [a],
        fromDay: DAY + 1,
        toDay: DAY + 1,
        slotStartMin: 390,
        slotEndMin: 1140,
        maxEntries: 1,
        priceFen: 3000,
        listFen: 3000,
        status: 'pending' as const,
        counter: `day:${DAY + 1}`,
        seats: 1,
        createdAt: w.clock.now,
      };
      await store.venues.placeBooking(pending, 100);
      await store.commit([planPayment(cardState, pending, 'parks', w.clock.now)]);
      const done = await w.service.book('park', ticket(a));
      expect(done.status).toBe('confirmed');
      expect(await balance(store, a)).toBe(0);
    });

    it('cancelling refunds once and frees the day place; a retried cancel changes nothing', async () => {
      const a = await card(store, 1, 10_000);
      const b = await w.service.book('park', ticket(a));
      await w.service.cancel('park', b.id, a);
      await w.service.cancel('park', b.id, a);
      expect(await balance(store, a)).toBe(10_000);
      expect((await w.service.availability('park', DAY + 1)).daily.sold).toBe(0);
      await expect(w.service.cancel('park', b.id, await card(store, 2))).rejects.toMatchObject({
        code: 'BOOKING_NOT_FOUND',
      });
    });

    it('an annual pass is valid for a year with unlimited entries, and cannot be cancelled once begun', async () => {
      const a = await card(store, 1, 20_000);
      const pass = await w.service.book(
        'park',
        ticket(a, { productId: 'pass', requestId: 'buy-pass-1', day: DAY }),
      );
      expect(pass).toMatchObject({
        kind: 'annual_pass',
        fromDay: DAY,
        toDay: DAY + 364,
        maxEntries: 0,
        priceFen: 12000,
      });
      await expect(w.service.cancel('park', pass.id, a)).rejects.toMatchObject({
        code: 'VENUE_NOT_CANCELLABLE',
      });
    });

    it('tickets sell up to the daily capacity exactly, a party taking a place per person', async () => {
      const payers = await Promise.all(Array.from({ length: 21 }, (_, i) => card(store, i + 1, 100_000)));
      const guests = await Promise.all(Array.from({ length: 100 }, (_, i) => card(store, 100 + i, 0)));
      for (let i = 0; i < 20; i++)
        await w.service.book(
          'park',
          ticket(payers[i]!, {
            requestId: `party-${i}-tickets`,
            holderTokens: guests.slice(i * 5, i * 5 + 5),
          }),
        );
      await expect(w.service.book('park', ticket(payers[20]!))).rejects.toMatchObject({ code: 'VENUE_FULL' });
      expect((await w.service.availability('park', DAY + 1)).daily).toEqual({ capacity: 100, sold: 100 });
      expect(await balance(store, payers[0]!)).toBe(100_000 - 5 * 3000);
    });
  });

  describe('occupancy against the carrying capacity', () => {
    it('warns once at 80 % and once at the limit, counting each passage once', async () => {
      const t = at(DAY, 600);
      const entry = (i: number) =>
        w.passages.record({
          venueId: 'park',
          id: `tap:g:${i}`,
          at: t,
          direction: 'entry',
          entitlementId: '',
        });
      for (let i = 1; i <= 7; i++) await entry(i);
      expect(w.warnings).toEqual([]);
      expect((await entry(8)).warning).toMatchObject({
        level: 'warning',
        occupancy: { inside: 8, entriesToday: 8 },
      });
      await entry(8);
      await entry(9);
      await entry(10);
      expect(w.warnings.map((x) => x.level)).toEqual(['warning', 'full']);
      await w.passages.record({
        venueId: 'park',
        id: 'tap:x:1',
        at: t,
        direction: 'exit',
        entitlementId: '',
      });
      expect(await w.passages.occupancy('park', DAY)).toMatchObject({
        inside: 9,
        entriesToday: 10,
        levels: { instant: 'warning', daily: 'normal' },
      });
    });
  });

  describe('visits per hour and annual-pass use (docs/decisions/0135)', () => {
    it('counts entries per local hour and per what admitted them, each passage once', async () => {
      const a = await card(store, 1, 100_000);
      const pass = await w.service.book('park', reserve(a, { productId: 'pass', requestId: 'buy-pass-1' }));
      const ticket = await w.service.book('park', reserve(a, { productId: 'day', requestId: 'buy-day-1' }));
      const d = DAY + 1;
      const enter = (id: string, minute: number, entitlementId: string) =>
        w.passages.record({ venueId: 'park', id, at: at(d, minute), direction: 'entry', entitlementId });
      await enter('tap:g:1', 9 * 60 + 5, pass.id);
      await enter('tap:g:1', 9 * 60 + 5, pass.id);
      await enter('tap:g:2', 9 * 60 + 59, ticket.id);
      await enter('tap:g:3', 10 * 60, '');
      await w.passages.record({
        venueId: 'park',
        id: 'tap:x:1',
        at: at(d, 10 * 60 + 30),
        direction: 'exit',
        entitlementId: '',
      });
      const c = await store.venues.dayCounts('park', d);
      expect(c.hours.slice(9, 11)).toEqual([
        { hour: 9, entries: 2, exits: 0 },
        { hour: 10, entries: 1, exits: 1 },
      ]);
      expect(c.entries).toEqual({ annual_pass: 1, ticket: 1, reservation: 0, none: 1 });
    });
  });

  describe('the sweeper', () => {
    const pendingTicket = (payerToken: string, id: string) => ({
      id,
      venueId: 'park',
      productId: 'day',
      kind: 'ticket' as const,
      channel: 'online' as const,
      payerToken,
      holders: [payerToken],
      fromDay: DAY + 1,
      toDay: DAY + 1,
      slotStartMin: 390,
      slotEndMin: 1140,
      maxEntries: 1,
      priceFen: 3000,
      listFen: 3000,
      status: 'pending' as const,
      counter: `day:${DAY + 1}`,
      seats: 1,
      createdAt: w.clock.now,
    });
    const sweeper = () =>
      new VenueSweeper({
        store,
        service: w.service,
        passages: w.passages,
        log: pino({ level: 'silent' }),
        now: () => w.clock.now,
      });

    it('cancels an abandoned unpaid booking (its place comes back) and confirms an abandoned paid one', async () => {
      const a = await card(store, 1, 10_000);
      const b = await card(store, 2, 10_000);
      await store.venues.placeBooking(pendingTicket(a, 'bk-unpaid'), 100);
      const paid = pendingTicket(b, 'bk-paid');
      await store.venues.placeBooking(paid, 100);
      await store.commit([planPayment((await store.loadCards([b])).get(b)!, paid, 'parks', w.clock.now)]);
      expect(await sweeper().sweep()).toMatchObject({ confirmed: 0, cancelled: 0 }); // not abandoned yet
      w.clock.now += 5 * 60_000;
      expect(await sweeper().sweep()).toMatchObject({ confirmed: 1, cancelled: 1 });
      expect((await store.venues.getBooking('park', 'bk-unpaid'))?.status).toBe('cancelled');
      expect((await store.venues.getBooking('park', 'bk-paid'))?.status).toBe('confirmed');
      expect(w.changes.put.map((p) => p.entitlement.id)).toEqual(['bk-paid']);
      expect([await balance(store, a), await balance(store, b)]).toEqual([10_000, 7_000]);
      expect((await w.service.availability('park', DAY + 1)).daily.sold).toBe(1);
    });

    it('a payment that lands after the sweeper cancelled the booking is refunded once', async () => {
      const a = await card(store, 1, 10_000);
      const id = w.service.bookingId('park', a, 'buy-ticket-9');
      await store.venues.placeBooking(pendingTicket(a, id), 100);
      w.clock.now += 5 * 60_000;
      await sweeper().sweep();
      // The holder's retry was already past its payment when the sweeper cancelled.
      const booking = (await store.venues.getBooking('park', id))!;
      await store.commit([planPayment((await store.loadCards([a])).get(a)!, booking, 'parks', w.clock.now)]);
      const after = await w.service.book('park', reserve(a, { productId: 'day', requestId: 'buy-ticket-9' }));
      await w.service.book('park', reserve(a, { productId: 'day', requestId: 'buy-ticket-9' }));
      expect(after.status).toBe('cancelled');
      expect(await balance(store, a)).toBe(10_000);
    });

    it('settles museum no-shows of today and yesterday', async () => {
      const a = await card(store, 1);
      w.clock.now = at(DAY - 1, 600);
      await w.service.book('museum', reserve(a, { day: DAY }));
      w.clock.now = at(DAY + 1, 60);
      expect((await sweeper().sweep()).noShows).toBe(1);
      expect((await store.venues.noShowDays('museum', [a])).get(a)).toEqual([DAY]);
    });
  });
});
