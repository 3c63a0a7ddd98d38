// Revenue and ridership for the console's charts, from the counters the stores keep at commit
// (stats/rides.ts): per hour, per line, per concession group, with free rides and the concession
// subsidy for claims (docs/decisions/0162).
import { scopeOperator } from '../../auth/policy.js';
import { enforce } from '../../auth/tenancy.js';
import { HOUR_MS, metrics, zero } from '../../stats/rides.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

const MAX_RANGE_MS = 62 * 24 * HOUR_MS;

const counts = Object.fromEntries(metrics.map((m) => [m, { type: 'integer' }]));
const group = (key: string, keyType = 'string') => ({
  type: 'array',
  items: { type: 'object', properties: { [key]: { type: keyType }, ...counts } },
});

export const statsRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/v1/stats',
    {
      config: { permission: 'stats:read' },
      schema: {
        tags: ['stats'],
        summary:
          'Rides, revenue, refusals, free rides and concession subsidy (docs/decisions/0162) per hour, line and concession group',
        querystring: {
          type: 'object',
          properties: {
            from: {
              ...s.unixMs,
              description: 'Unix ms (rounded down to the hour); default 24 h ago',
            },
            to: {
              ...s.unixMs,
              description: 'Unix ms, exclusive; default now; at most 62 days after from',
            },
            operator: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              from: { type: 'integer' },
              to: { type: 'integer' },
              totals: { type: 'object', properties: counts },
              byHour: group('hour', 'integer'),
              byLine: group('line'),
              byConcession: group('concession'),
            },
          },
          ...s.errors,
        },
      },
    },
    async (req) => {
      const scope = scopeOperator(req.principal!, req.query.operator);
      enforce(req, services.metrics.tenantRefusals, scope);
      const now = services.auth.now();
      const to = req.query.to ?? now;
      const from = Math.floor((req.query.from ?? to - 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
      if (to <= from || to - from > MAX_RANGE_MS)
        throw Object.assign(new Error('the range must be positive and at most 62 days'), { statusCode: 400 });
      const summary = await services.history.queryStats({ operatorId: scope.operatorId, from, to });
      const totals = zero();
      for (const c of summary.byConcession) for (const m of metrics) totals[m] += c[m];
      return { from, to, totals, ...summary };
    },
  );
};
