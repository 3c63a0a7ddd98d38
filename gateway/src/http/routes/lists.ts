// Devices resync their deny list here when they missed deltas (or boot with no list). Reached
// with the device's credential ("Authorization: Device <credential>", given at registration) or
// an operator session that may read devices (auth/guard.ts guardDevices); the deny list names
// every lost card, so among operators only unbound accounts get it (docs/decisions/0154).
import { denyReasons } from '../../../../protos/codec.js';
import { mayFetchList } from '../../auth/policy.js';
import { enforce, listReader } from '../../auth/tenancy.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

export const listRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/v1/lists/deny',
    {
      schema: {
        tags: ['lists'],
        summary: 'Deny-list changes after a version, or the whole list (reset) when too far behind',
        querystring: {
          type: 'object',
          properties: { since: { ...s.version, default: 0 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              version: { type: 'integer' },
              reset: { type: 'boolean', description: 'true: clear the list, then apply the changes' },
              changes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    version: { type: 'integer' },
                    token: { type: 'string' },
                    add: { type: 'boolean' },
                    reason: { type: 'string', enum: [...denyReasons.names] },
                  },
                },
              },
            },
          },
          ...s.errors,
        },
      },
    },
    async (req) => {
      const who = await listReader(req, services.devices);
      enforce(req, services.metrics.tenantRefusals, mayFetchList(who, 'deny', 'all', services.owners));
      return services.deny.sync(req.query.since);
    },
  );
};
