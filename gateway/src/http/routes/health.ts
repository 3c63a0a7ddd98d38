import type { RoutePlugin } from '../services.js';

export const healthRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: store reachable and MQTT connected',
        response: {
          200: {
            type: 'object',
            properties: {
              ready: { type: 'boolean' },
              checks: { type: 'object', additionalProperties: { type: 'boolean' } },
            },
          },
          503: {
            type: 'object',
            properties: {
              ready: { type: 'boolean' },
              checks: { type: 'object', additionalProperties: { type: 'boolean' } },
            },
          },
        },
      },
    },
    async (_req, reply) => {
      const r = await services.ready();
      return reply.status(r.ready ? 200 : 503).send(r);
    },
  );
  app.get(
    '/metrics',
    { schema: { tags: ['health'], summary: 'Prometheus metrics (text format)' } },
    async (_req, reply) => {
      const registry = services.metrics.registry;
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};
