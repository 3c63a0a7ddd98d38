// Operators: ride records by card (token or masked number), device, route, station, stop,
// operator and time range, newest first, keyset-paginated (the cursor is opaque; pages never
// skip or repeat under inserts), and the same search as a streamed CSV file. A tenant account
// sees its own operator only (docs/decisions/0136).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopeOperator } from '../../auth/policy.js';
import { enforce } from '../../auth/tenancy.js';
import type { RecordQuery } from '../../store/port.js';
import { recordsCsv } from '../csv.js';
import { type CardFilter, resolveCard } from '../record-card.js';
import * as s from '../schemas.js';
import type { RoutePlugin, SchemaType, Services } from '../services.js';

const id = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } as const;
const filters = {
  card: {
    type: 'string',
    pattern: '^[0-9A-Za-z*]{1,40}$',
    description:
      'Card token (32 hex), or the masked number as shown (C31****01); a full card number is refused (400 CARD_NUMBER_IN_URL)',
  },
  device: id,
  route: id,
  station: { ...id, description: 'Station (metro, station gates)' },
  stop: { ...id, description: 'Bus stop' },
  operator: id,
  from: { ...s.unixMs, description: 'From (inclusive), Unix ms' },
  to: { ...s.unixMs, description: 'To (exclusive), Unix ms' },
} as const;
const filterQuery = { type: 'object', properties: filters, additionalProperties: false } as const;

export const CSV_MAX_ROWS = 200_000;

/** The search the account may run, or the problem that refuses it. */
async function scoped(
  services: Services,
  req: FastifyRequest,
  q: SchemaType<typeof filterQuery>,
): Promise<{ q: Omit<RecordQuery, 'limit' | 'cursor'>; card: CardFilter }> {
  const scope = scopeOperator(req.principal!, q.operator);
  enforce(req, services.metrics.tenantRefusals, scope);
  const rest = {
    deviceId: q.device,
    routeId: q.route,
    stationId: q.station,
    stopId: q.stop,
    operatorId: scope.operatorId,
    from: q.from,
    to: q.to,
  };
  const card = await resolveCard(services.history, q.card, rest);
  return {
    q: { ...rest, ...(card.ok ? { cardToken: card.cardToken, cardMasked: card.cardMasked } : {}) },
    card,
  };
}

function refuse(reply: FastifyReply, card: Exclude<CardFilter, { ok: true }>) {
  const { ok: _, ...problem } = card;
  return reply
    .status(card.status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: card.detail, ...problem });
}

/** 422 CARD_AMBIGUOUS: a problem with the cards a masked number names. */
const ambiguous = {
  type: 'object',
  properties: {
    ...s.problem.properties,
    candidates: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          cardToken: { type: 'string' },
          cardMasked: { type: 'string' },
          lastAt: { type: 'integer', description: 'Newest record seen, Unix ms' },
          records: { type: 'integer', description: 'Records seen (of the newest 500 matching)' },
        },
        required: ['cardToken', 'cardMasked', 'lastAt', 'records'],
      },
    },
  },
  required: ['title', 'status', 'code'],
} as const;

export const recordRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/v1/records/up-to',
    {
      config: { permission: 'records:read' },
      schema: {
        tags: ['records'],
        summary:
          'Where record searches read, and with the PostgreSQL history how far it reaches (docs/decisions/0190)',
        response: {
          200: {
            type: 'object',
            properties: {
              source: { type: 'string', enum: ['store', 'postgres'] },
              upToMs: { type: 'integer', description: 'Records committed up to this time are searchable' },
            },
            required: ['source'],
            additionalProperties: false,
          },
          ...s.errors,
        },
      },
    },
    async () => {
      if (!services.historyUpTo) return { source: 'store' };
      const upToMs = await services.historyUpTo();
      return upToMs === undefined ? { source: 'postgres' } : { source: 'postgres', upToMs };
    },
  );
  app.get(
    '/v1/records',
    {
      config: { permission: 'records:read' },
      schema: {
        tags: ['records'],
        summary: 'Search ride, visit and top-up records',
        querystring: {
          ...filterQuery,
          properties: {
            ...filters,
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: { 200: { $ref: 'RecordPage#' }, ...s.errors, 422: ambiguous },
      },
    },
    async (req, reply) => {
      const { q, card } = await scoped(services, req, req.query);
      if (!card.ok) return refuse(reply, card);
      return services.history.queryRecords({ ...q, limit: req.query.limit, cursor: req.query.cursor });
    },
  );
  app.get(
    '/v1/records.csv',
    {
      config: { permission: 'records:read' },
      schema: {
        tags: ['records'],
        summary: `The same search as CSV (text/csv, streamed; at most ${CSV_MAX_ROWS} rows)`,
        querystring: filterQuery,
        response: {
          200: { type: 'string', description: 'text/csv; charset=utf-8' },
          ...s.errors,
          422: ambiguous,
        },
      },
    },
    async (req, reply) => {
      const { q, card } = await scoped(services, req, req.query);
      if (!card.ok) return refuse(reply, card);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="onecard-records-${Date.now()}.csv"`)
        .send(recordsCsv(services.history, q, CSV_MAX_ROWS));
    },
  );
};
