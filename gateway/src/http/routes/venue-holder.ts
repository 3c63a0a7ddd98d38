// Holders reserve museum slots (文化场馆线上预约) and buy tickets and annual passes with their
// card's account (景区购票), behind a holder token (docs/decisions/0132): every route acts for the
// token's card; companions in a real-name party are named by their card numbers in the body
// (turned into tokens at once, never logged).
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';
import * as v from './venue-schemas.js';

export const venueHolderRoutes: RoutePlugin = async (app, { services }) => {
  const { cards, qr } = services;
  const venues = services.venues;
  if (!venues) return;
  const service = venues.service;
  const mine = (card: string | undefined) => card as string;
  const day = (date: string) => v.dayOrThrow(date);

  app.post(
    '/v1/holder/venues/:venueId/bookings',
    {
      config: { audit: 'holder.venue_booking' },
      schema: {
        tags: ['holder', 'venues'],
        summary:
          'Reserve a slot, or buy a ticket or annual pass with the card account (idempotent by requestId)',
        params: v.venueParams,
        body: {
          type: 'object',
          properties: {
            requestId: v.requestId,
            productId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
            date: { ...v.date, description: 'The day of the visit, or the first day of a pass' },
            slotStartMin: { type: 'integer', minimum: 0, maximum: 1439, default: 0 },
            holderCardNumbers: {
              type: 'array',
              items: s.cardNumber,
              maxItems: 50,
              description:
                'Real-name party: every person by their own card, mine included if I come (default: me alone)',
            },
          },
          required: ['requestId', 'productId', 'date'],
          additionalProperties: false,
        },
        response: { 200: v.booking, ...v.venueErrors },
      },
    },
    async (req) => {
      const b = req.body;
      const payerToken = mine(req.holderCard);
      const booking = await service.book(req.params.venueId, {
        requestId: b.requestId,
        productId: b.productId,
        day: day(b.date),
        slotStartMin: b.slotStartMin ?? 0,
        payerToken,
        holderTokens: (b.holderCardNumbers ?? []).map((n) => cards.tokenOf(n)),
        channel: 'online',
      });
      // A static code cannot be revoked offline: only free reservations get one (a refunded
      // ticket's code would still open the gate); the payer's own place.
      const code =
        qr &&
        qr.publicKeys().signingKeyId !== null &&
        booking.kind === 'reservation' &&
        booking.priceFen === 0 &&
        booking.status === 'confirmed' &&
        booking.holders.includes(payerToken)
          ? qr.ticket({
              kind: 'reservation',
              venueId: booking.venueId,
              date: v.dateOf(booking.fromDay),
              slotStartMin: booking.slotStartMin,
              slotEndMin: booking.slotEndMin,
              holderToken: payerToken,
            }).code
          : undefined;
      return v.bookingJson(booking, code);
    },
  );

  app.post(
    '/v1/holder/venues/:venueId/bookings/:bookingId/cancel',
    {
      config: { audit: 'holder.venue_cancel' },
      schema: {
        tags: ['holder', 'venues'],
        summary: 'Cancel my booking before it begins: the place is freed, the price refunded to the card',
        params: {
          type: 'object',
          properties: {
            ...v.venueParams.properties,
            bookingId: { type: 'string', pattern: '^bk[0-9a-f]{22}$' },
          },
          required: ['venueId', 'bookingId'],
        },
        response: { 200: v.booking, ...v.venueErrors },
      },
    },
    async (req) =>
      v.bookingJson(await service.cancel(req.params.venueId, req.params.bookingId, mine(req.holderCard))),
  );

  app.get(
    '/v1/holder/venues/:venueId/my-bookings',
    {
      schema: {
        tags: ['holder', 'venues'],
        summary: 'My bookings at a venue (as payer or named holder), oldest first',
        params: v.venueParams,
        response: { 200: { type: 'array', items: v.booking }, ...v.venueErrors },
      },
    },
    async (req) =>
      (await service.bookingsOf(req.params.venueId, mine(req.holderCard))).map((b) => v.bookingJson(b)),
  );
};
