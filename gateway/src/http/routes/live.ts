// The live view's stream: Server-Sent Events, one aggregated event per tick (live/feed.ts).
// SSE rather than WebSockets: one direction is all it needs, it rides plain HTTP (cookies,
// proxies) and the browser reconnects by itself.
import { scopeOperator } from '../../auth/policy.js';
import { enforce } from '../../auth/tenancy.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

const HEARTBEAT_MS = 15_000;

export const liveRoutes: RoutePlugin = async (app, { services }) => {
  // Open streams never end by themselves; close them before the server waits for connections.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });
  app.get(
    '/v1/live',
    {
      config: { permission: 'live:read' },
      schema: {
        tags: ['live'],
        summary:
          'Live taps as text/event-stream: every 500 ms one event with counts by reason and a sample of at most 25 taps',
        querystring: {
          type: 'object',
          properties: { operator: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } },
          additionalProperties: false,
        },
        response: { 200: { type: 'string', description: 'text/event-stream' }, ...s.errors },
      },
    },
    async (req, reply) => {
      const scope = scopeOperator(req.principal!, req.query.operator);
      enforce(req, services.metrics.tenantRefusals, scope);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const unsubscribe = services.live.subscribe(scope.operatorId, (e) => {
        // A slow client: skip this tick rather than queue events in memory.
        if (res.writableNeedDrain) return;
        res.write(`event: taps\ndata: ${JSON.stringify(e)}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        res.end();
      };
      open.add(end);
      req.raw.on('close', end);
    },
  );
};
