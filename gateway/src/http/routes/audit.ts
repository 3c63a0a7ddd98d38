// The audit log, for auditors and admins: every state-changing request, who, what, when, target.
import { mayReadAudit } from '../../auth/policy.js';
import { enforce } from '../../auth/tenancy.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

const entry = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'integer' },
    actor: { type: 'string' },
    role: { type: 'string' },
    tenant: { type: 'string' },
    action: { type: 'string' },
    target: { type: 'string', description: 'Card token, device id or username; never a card number' },
    status: { type: 'integer' },
    reason: { type: 'string', description: 'Why, from a closed list (counter top-ups)' },
  },
} as const;

export const auditRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit log, newest first',
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            cursor: { type: 'string', pattern: '^[0-9-]{1,40}$' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: entry }, nextCursor: { type: 'string' } },
          },
          ...s.errors,
        },
      },
    },
    async (req) => {
      // The log spans every operator; an auditor bound to one tenant would see others' actions.
      enforce(req, services.metrics.tenantRefusals, mayReadAudit(req.principal!));
      try {
        return await services.store.queryAudit({ limit: req.query.limit, cursor: req.query.cursor });
      } catch (err) {
        if (err instanceof RangeError) throw Object.assign(new Error(err.message), { statusCode: 400 });
        throw err;
      }
    },
  );
};
