// Operators: ride records by card, device, route, operator and time range, newest first,
// keyset-paginated (the cursor is opaque; pages never skip or repeat under inserts), and the
// same search as a streamed CSV file. A tenant account sees its own operator only.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AuthError } from '../../auth/guard.js';
import { scopeOperator } from '../../auth/policy.js';
import type { RecordQuery } from '../../store/port.js';
import { recordsCsv } from '../csv.js';
import * as s from '../schemas.js';
import type { Services } from '../server.js';

interface Query {
  card?: string;
  device?: string;
  route?: string;
  operator?: string;
  from?: number;
  to?: number;
  limit: number;
  cursor?: string;
}

const id = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } as const;
const filters = {
  card: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'Card token' },
  device: id,
  route: id,
  operator: id,
  from: { type: 'integer', minimum: 0, description: 'From (inclusive), Unix ms' },
  to: { type: 'integer', minimum: 0, description: 'To (exclusive), Unix ms' },
} as const;

export const CSV_MAX_ROWS = 200_000;

function scoped(req: FastifyRequest<{ Querystring: Query }>): Omit<RecordQuery, 'limit' | 'cursor'> {
  const q = req.query;
  const scope = scopeOperator(req.principal!, q.operator);
  if (!scope.ok) throw new AuthError(403, 'FORBIDDEN', scope.reason);
  return {
    cardToken: q.card,
    deviceId: q.device,
    routeId: q.route,
    operatorId: scope.operatorId,
    from: q.from,
    to: q.to,
  };
}

export const recordRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get<{ Querystring: Query }>(
    '/v1/records',
    {
      config: { permission: 'records:read' },
      schema: {
        tags: ['records'],
        summary: 'Search ride, visit and top-up records',
        querystring: {
          type: 'object',
          properties: {
            ...filters,
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string', maxLength: 200 },
          },
          additionalProperties: false,
        },
        response: { 200: { $ref: 'RecordPage#' }, ...s.errors },
      },
    },
    async (req) =>
      services.store.queryRecords({ ...scoped(req), limit: req.query.limit, cursor: req.query.cursor }),
  );
  app.get<{ Querystring: Query }>(
    '/v1/records.csv',
    {
      config: { permission: 'records:read' },
      schema: {
        tags: ['records'],
        summary: `The same search as CSV (text/csv, streamed; at most ${CSV_MAX_ROWS} rows)`,
        querystring: { type: 'object', properties: filters, additionalProperties: false },
        response: { 200: { type: 'string', description: 'text/csv; charset=utf-8' }, ...s.errors },
      },
    },
    async (req, reply) => {
      const q = scoped(req);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="onecard-records-${Date.now()}.csv"`)
        .send(recordsCsv(services.store, q, CSV_MAX_ROWS));
    },
  );
};
