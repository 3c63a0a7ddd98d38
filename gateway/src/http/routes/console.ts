// The operator console: static files (plain ES modules, no build step) read once at start-up
// and served from memory, under a Content-Security-Policy that allows this origin only. The
// page itself is public; every datum it shows comes from the guarded API.
import { readdirSync, readFileSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { displayText } from '../../../../core/reasons.js';
import type { RoutePlugin } from '../services.js';

const dir = new URL('../console/', import.meta.url);
const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const files = new Map<string, { type: string; body: string }>();
for (const name of readdirSync(dir)) {
  const ext = name.split('.').pop() ?? '';
  if (types[ext]) files.set(name, { type: types[ext], body: readFileSync(new URL(name, dir), 'utf8') });
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function send(reply: FastifyReply, type: string, body: string) {
  return reply
    .type(type)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .send(body);
}

export const consoleRoutes: RoutePlugin = async (app) => {
  const index = files.get('index.html')!;
  app.get('/', { schema: { hide: true } }, async (_req, reply) => send(reply, index.type, index.body));
  app.get(
    '/console/:file',
    {
      schema: {
        hide: true,
        params: {
          type: 'object',
          properties: { file: { type: 'string', pattern: '^[a-z0-9-]+\\.(js|css)$' } },
          required: ['file'],
        },
      },
    },
    async (req, reply) => {
      const f = files.get(req.params.file);
      if (!f)
        return reply
          .status(404)
          .type('application/problem+json')
          .send({ title: 'not found', status: 404, code: 'NOT_FOUND' });
      return send(reply, f.type, f.body);
    },
  );
  app.get(
    '/v1/reasons',
    {
      schema: {
        tags: ['console'],
        summary: 'Display texts (zh, en) of every reason code',
        response: {
          200: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              properties: { zh: { type: 'string' }, en: { type: 'string' } },
            },
          },
        },
      },
    },
    async () => displayText,
  );
};
