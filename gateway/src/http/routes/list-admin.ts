// Admin API for the lists devices decide with: concession flags per card, recognised issuing
// regions (同城待遇), and venue entitlements (annual passes, tickets, reservations). Each call
// is one new version of its list and one signed delta to the devices.
import { MAX_ENTITLEMENT_DAYS } from '../../../../core/uses.js';
import { mayFetchList } from '../../auth/policy.js';
import type { ListService } from '../../lists/service.js';
import type { RoutePlugin } from '../services.js';

const token = { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'Card token (32 hex)' } as const;
const venue = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } as const;
const entId = { type: 'string', minLength: 1, maxLength: 64 } as const;
const day = { type: 'integer', minimum: 0, maximum: 4_294_967_295 } as const;
const changed = {
  type: 'object',
  properties: {
    changed: { type: 'boolean', description: 'false: everything was already so; no new version' },
    version: { type: 'integer', description: 'The list version after the call' },
  },
  required: ['changed', 'version'],
} as const;

type Changed = Awaited<ReturnType<ListService['setFlags']>>;
const answer = async (done: Changed, current: () => Promise<number>) => ({
  changed: done !== null,
  version: done?.version ?? (await current()),
});

export const listAdminRoutes: RoutePlugin = async (app, { services }) => {
  const { lists, store } = services;

  app.put(
    '/v1/admin/lists/flags',
    {
      config: { permission: 'cards:write', audit: 'lists.flags' },
      schema: {
        tags: ['lists'],
        summary: 'Set concession flags of cards (core/card.ts ConcessionFlag bits; 0 removes)',
        body: {
          type: 'object',
          properties: {
            cards: {
              type: 'array',
              minItems: 1,
              maxItems: 10_000,
              items: {
                type: 'object',
                properties: { token, flags: { type: 'integer', minimum: 0, maximum: 255 } },
                required: ['token', 'flags'],
                additionalProperties: false,
              },
            },
          },
          required: ['cards'],
          additionalProperties: false,
        },
        response: { 200: changed, 400: { $ref: 'Problem#' } },
      },
    },
    async (req) => answer(await lists.setFlags(req.body.cards), () => store.listVersion('flags', 'all')),
  );

  app.put(
    '/v1/admin/lists/regions',
    {
      config: { permission: 'lists:write', audit: 'lists.regions' },
      schema: {
        tags: ['lists'],
        summary: 'Recognise issuing regions for same-city treatment (同城待遇), or stop recognising them',
        body: {
          type: 'object',
          properties: {
            regions: {
              type: 'array',
              minItems: 1,
              maxItems: 10_000,
              items: {
                type: 'object',
                properties: {
                  region: { type: 'string', pattern: '^\\d{6}$' },
                  recognised: { type: 'boolean' },
                },
                required: ['region', 'recognised'],
                additionalProperties: false,
              },
            },
          },
          required: ['regions'],
          additionalProperties: false,
        },
        response: { 200: changed, 400: { $ref: 'Problem#' } },
      },
    },
    async (req) =>
      answer(await lists.setRegions(req.body.regions), () => store.listVersion('regions', 'all')),
  );

  app.put(
    '/v1/admin/lists/entitlements/:venueId',
    {
      config: { permission: 'lists:write', audit: 'lists.entitlements' },
      schema: {
        tags: ['lists'],
        summary: "Put or remove entitlements (annual passes, tickets, reservations) at a venue's devices",
        params: { type: 'object', properties: { venueId: venue }, required: ['venueId'] },
        body: {
          type: 'object',
          properties: {
            put: {
              type: 'array',
              maxItems: 10_000,
              items: {
                type: 'object',
                properties: {
                  token,
                  kind: { type: 'string', enum: ['annual_pass', 'ticket', 'reservation'] },
                  id: entId,
                  fromDay: { ...day, description: 'First valid day, days since 1970-01-01 in UTC+8' },
                  toDay: { ...day, description: 'Last valid day, inclusive' },
                  slotStartMin: { type: 'integer', minimum: 0, maximum: 1439 },
                  slotEndMin: { type: 'integer', minimum: 1, maximum: 1440 },
                  maxEntries: { type: 'integer', minimum: 0, maximum: 65535, description: '0: unlimited' },
                },
                required: [
                  'token',
                  'kind',
                  'id',
                  'fromDay',
                  'toDay',
                  'slotStartMin',
                  'slotEndMin',
                  'maxEntries',
                ],
                additionalProperties: false,
              },
            },
            remove: {
              type: 'array',
              maxItems: 10_000,
              items: {
                type: 'object',
                properties: { token, id: entId },
                required: ['token', 'id'],
                additionalProperties: false,
              },
            },
          },
          additionalProperties: false,
        },
        response: { 200: changed, 400: { $ref: 'Problem#' } },
      },
    },
    async (req, reply) => {
      const { venueId } = req.params;
      const put = req.body.put ?? [];
      // A ticket or reservation's last day goes on its taps, which the gateway takes only up to
      // MAX_ENTITLEMENT_DAYS ahead (0215): one valid longer would have its visits quarantined.
      const bad = put.find(
        (p) =>
          p.fromDay > p.toDay ||
          (p.kind !== 'annual_pass' && p.toDay - p.fromDay >= MAX_ENTITLEMENT_DAYS) ||
          p.slotStartMin >= p.slotEndMin ||
          Buffer.byteLength(p.id) > 64,
      );
      if (bad)
        return reply
          .status(400)
          .type('application/problem+json')
          .send({
            type: 'about:blank',
            title: 'Bad entitlement',
            status: 400,
            code: 'BAD_REQUEST',
            detail: `entitlement ${bad.id}: days or slot out of order, a ticket or reservation valid over ${MAX_ENTITLEMENT_DAYS} days, or id over 64 bytes`,
          });
      const done = await lists.changeEntitlements(
        venueId,
        put.map(({ token: t, ...entitlement }) => ({ token: t, entitlement })),
        req.body.remove ?? [],
      );
      return answer(done, () => store.listVersion('entitlements', venueId));
    },
  );

  app.get(
    '/v1/admin/lists',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['lists'],
        summary: "Every list's current version (entitlements for the venues of registered devices)",
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    kind: { type: 'string' },
                    scope: { type: 'string' },
                    version: { type: 'integer' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const venues = [...new Set((await store.listDevices()).map((d) => d.venueId).filter(Boolean))];
      // A tenant-bound account sees the versions of the lists it may fetch (0154).
      const items = (await lists.versions(venues)).filter(
        (l) => mayFetchList(req.principal!, l.kind, l.scope, services.owners).ok,
      );
      return { items };
    },
  );
};
