// Venues (docs/decisions/0140-venue-products-and-capacity.md). Public: the venues with their
// products, slots and capacity, and the places left (what the holder's app shows before
// booking). Operators (a venue operator sees its own venues only): the gates' entry rules as
// edge config, walk-ins at the desk, occupancy, no-show settling.
import type { FastifyRequest } from 'fastify';
import { gateConfig } from '../../../../core/venue/gates.js';
import { mayActOnVenue } from '../../auth/policy.js';
import { enforce } from '../../auth/tenancy.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';
import * as v from './venue-schemas.js';

export const venuePublicRoutes: RoutePlugin = async (app, { services }) => {
  const service = services.venues?.service;
  if (!service) return;
  const day = (date: string | undefined) => (date === undefined ? service.today() : v.dayOrThrow(date));

  app.get(
    '/v1/venues',
    {
      schema: {
        tags: ['venues'],
        summary: 'Venues with their products (prices in fen), slots, booking rules and capacity',
        response: { 200: { type: 'array', items: v.venue }, ...v.venueErrors },
      },
    },
    async () => service.list(),
  );

  app.get(
    '/v1/venues/:venueId/availability',
    {
      schema: {
        tags: ['venues'],
        summary: 'Places left per slot and tickets sold against the daily capacity, for a day',
        params: v.venueParams,
        querystring: {
          type: 'object',
          properties: { date: v.date },
          additionalProperties: false,
        },
        response: { 200: v.availability, ...v.venueErrors },
      },
    },
    async (req) => {
      const d = day(req.query.date);
      return {
        venueId: req.params.venueId,
        date: v.dateOf(d),
        ...(await service.availability(req.params.venueId, d)),
      };
    },
  );
};

export const venueOperatorRoutes: RoutePlugin = async (app, { services }) => {
  const { cards } = services;
  const venues = services.venues;
  if (!venues) return;
  const service = venues.service;
  const day = (date: string | undefined) => (date === undefined ? service.today() : v.dayOrThrow(date));
  // A tenant-bound account acts on its own venues only (the venue file names the operator).
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const venueId = (req.params as { venueId?: string } | undefined)?.venueId;
    if (venueId !== undefined)
      enforce(req, services.metrics.tenantRefusals, mayActOnVenue(req.principal!, venueId, services.owners));
  });

  app.get(
    '/v1/venues/:venueId/gate-config',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['venues'],
        summary: "Entry rules of the venue's gates from its file, as edge-agent configuration",
        params: v.venueParams,
        querystring: {
          type: 'object',
          properties: {
            gate: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'Device id' },
          },
          additionalProperties: false,
        },
        response: { 200: v.gateConfig, ...v.venueErrors },
      },
    },
    async (req) => gateConfig(service.venue(req.params.venueId), req.query.gate),
  );

  app.post(
    '/v1/venues/:venueId/walk-ins',
    {
      config: { permission: 'tickets:issue', audit: 'venue.walk_in' },
      schema: {
        tags: ['venues'],
        summary: 'Desk: admit walk-ins (by card) to the slot running now, up to the places left',
        params: v.venueParams,
        body: {
          type: 'object',
          properties: {
            cardNumbers: { type: 'array', items: s.cardNumber, minItems: 1, maxItems: 50 },
            requestId: v.requestId,
            productId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
          },
          required: ['cardNumbers', 'requestId', 'productId'],
          additionalProperties: false,
        },
        response: { 200: v.booking, ...v.venueErrors },
      },
    },
    async (req) => {
      const tokens = req.body.cardNumbers.map((n) => cards.tokenOf(n));
      return v.bookingJson(
        await service.walkIn(req.params.venueId, {
          requestId: req.body.requestId,
          productId: req.body.productId,
          payerToken: tokens[0]!,
          holderTokens: tokens,
        }),
      );
    },
  );

  app.get(
    '/v1/venues/:venueId/bookings',
    {
      config: { permission: 'records:read' },
      schema: {
        tags: ['venues'],
        summary: 'Reservations, tickets and passes starting on a day, with masked card numbers',
        params: v.venueParams,
        querystring: { type: 'object', properties: { date: v.date }, additionalProperties: false },
        response: {
          200: {
            type: 'array',
            items: {
              ...v.booking,
              properties: {
                ...v.booking.properties,
                holdersMasked: {
                  type: 'array',
                  items: { type: 'string' },
                  description: 'Masked card numbers',
                },
              },
            },
          },
          ...v.venueErrors,
        },
      },
    },
    async (req) => {
      service.venue(req.params.venueId);
      const bookings = await services.store.venues.bookingsOfDay(req.params.venueId, day(req.query.date));
      const cardsOf = await services.store.loadCards([...new Set(bookings.flatMap((b) => b.holders))]);
      return bookings.map((b) => ({
        ...v.bookingJson(b),
        holdersMasked: b.holders.map((t) => cardsOf.get(t)?.masked ?? ''),
      }));
    },
  );

  app.post(
    '/v1/venues/:venueId/passages',
    {
      config: { permission: 'devices:write' },
      schema: {
        tags: ['venues'],
        summary:
          'A passage counted by a device that reads no card (an exit turnstile, a door counter), once per id',
        params: v.venueParams,
        body: {
          type: 'object',
          properties: {
            id: {
              type: 'string',
              pattern: '^[A-Za-z0-9_.:-]{1,96}$',
              description: 'Unique per passage (idempotent)',
            },
            at: { ...s.unixMs, description: 'When, Unix ms' },
            direction: { type: 'string', enum: ['entry', 'exit'] },
          },
          required: ['id', 'at', 'direction'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              applied: { type: 'boolean', description: 'false: this id was counted before' },
              inside: { type: 'integer' },
              entriesToday: { type: 'integer' },
              warning: { type: 'string', enum: ['warning', 'full'] },
            },
            required: ['applied', 'inside', 'entriesToday'],
          },
          ...v.venueErrors,
        },
      },
    },
    async (req) => {
      service.venue(req.params.venueId);
      const r = await venues.passages.record({
        venueId: req.params.venueId,
        // Its own id space: never equal to a visit record's tap:<device>:<seq>.
        id: `counter:${req.body.id}`,
        at: req.body.at,
        direction: req.body.direction,
        entitlementId: '',
      });
      return { applied: r.applied, ...r.occupancy, ...(r.warning ? { warning: r.warning.level } : {}) };
    },
  );

  app.get(
    '/v1/venues/:venueId/occupancy',
    {
      config: { permission: 'stats:read' },
      schema: {
        tags: ['venues'],
        summary: 'Visitors inside and entries of the day against the capacity, with warning levels',
        params: v.venueParams,
        querystring: { type: 'object', properties: { date: v.date }, additionalProperties: false },
        response: { 200: v.occupancy, ...v.venueErrors },
      },
    },
    async (req) => {
      const d = day(req.query.date);
      return {
        venueId: req.params.venueId,
        date: v.dateOf(d),
        ...(await venues.passages.occupancy(req.params.venueId, d)),
      };
    },
  );

  app.get(
    '/v1/venues/:venueId/stats',
    {
      config: { permission: 'stats:read' },
      schema: {
        tags: ['venues'],
        summary:
          'A day at a venue for its operator: visits per hour, occupancy against capacity, reservations per slot, entries per pass or ticket',
        params: v.venueParams,
        querystring: { type: 'object', properties: { day: v.date }, additionalProperties: false },
        response: { 200: v.venueStats, ...v.venueErrors },
      },
    },
    async (req) => {
      const venueId = req.params.venueId;
      const d = day(req.query.day);
      const [occupancy, counts, availability] = await Promise.all([
        venues.passages.occupancy(venueId, d),
        services.store.venues.dayCounts(venueId, d),
        service.availability(venueId, d),
      ]);
      const { capacity, levels, ...now } = occupancy;
      return {
        venueId,
        date: v.dateOf(d),
        capacity,
        warnAt: {
          instant: capacity.instant > 0 ? Math.ceil(capacity.instant * capacity.warnShare) : 0,
          daily: capacity.daily > 0 ? Math.ceil(capacity.daily * capacity.warnShare) : 0,
        },
        occupancy: { ...now, levels },
        hours: counts.hours,
        entries: counts.entries,
        slots: availability.slots,
        sold: availability.daily.sold,
      };
    },
  );

  app.post(
    '/v1/venues/:venueId/no-shows',
    {
      config: { permission: 'tickets:issue', audit: 'venue.no_shows' },
      schema: {
        tags: ['venues'],
        summary: 'Settle a day: confirmed reservations whose slot is over become no-shows',
        params: v.venueParams,
        body: {
          type: 'object',
          properties: { date: v.date },
          required: ['date'],
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { marked: { type: 'integer' } }, required: ['marked'] },
          ...v.venueErrors,
        },
      },
    },
    async (req) => venues.passages.settleNoShows(req.params.venueId, day(req.body.date), service.now()),
  );
};
