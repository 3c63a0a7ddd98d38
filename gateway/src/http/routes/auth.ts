// Operator login and logout. The session is a signed token (auth/tokens.ts) in an HttpOnly,
// SameSite=Strict cookie for the console; API clients ask for it in the body instead and send
// it as a Bearer token (docs/decisions/0130).
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { operatorOf, SESSION_COOKIE } from '../../auth/guard.js';
import { verifyPassword } from '../../auth/passwords.js';
import { can, type Principal, permissions } from '../../auth/policy.js';
import { signToken } from '../../auth/tokens.js';
import * as s from '../schemas.js';
import type { Services } from '../server.js';

export const SESSION_TTL_MS = 8 * 3600_000;

const allowed = (p: Omit<Principal, 'kind'>) => permissions.filter((x) => can({ kind: 'operator', ...p }, x));
// Compared against when the username is unknown, so a wrong name costs as long as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const me = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    role: { type: 'string' },
    tenant: { type: 'string', description: "operatorId the account sees; '' = all" },
    expiresAt: { type: 'integer' },
    permissions: { type: 'array', items: { type: 'string' }, description: 'What the console may show' },
    token: { type: 'string', description: 'Only when asked for with "bearer": true' },
  },
  required: ['username', 'role', 'tenant'],
} as const;

function setCookie(reply: FastifyReply, value: string, maxAgeS: number, secure: boolean): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`,
  );
}

export const authRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const ctx = services.auth;
  app.post<{ Body: { username: string; password: string; bearer?: boolean } }>(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Operator login: sets the session cookie (or returns a Bearer token when asked)',
        body: {
          type: 'object',
          properties: {
            username: { type: 'string', minLength: 1, maxLength: 64 },
            password: { type: 'string', minLength: 1, maxLength: 256 },
            bearer: { type: 'boolean', default: false },
          },
          required: ['username', 'password'],
          additionalProperties: false,
        },
        response: { 200: me, ...s.errors },
      },
    },
    async (req, reply) => {
      const account = ctx.accounts.get(req.body.username);
      const ok = await verifyPassword(req.body.password, account?.passwordHash ?? DUMMY_HASH);
      const at = ctx.now();
      await ctx.store.appendAudit({
        at,
        actor: account && ok ? account.username : 'unknown',
        role: account && ok ? account.role : '',
        tenant: account && ok ? account.tenant : '',
        action: 'auth.login',
        // A failed attempt names the username tried: staff need to see guessing against an account.
        target: req.body.username,
        status: account && ok ? 200 : 401,
      });
      if (!account || !ok)
        return reply.status(401).type('application/problem+json').send({
          type: 'about:blank',
          title: 'wrong username or password',
          status: 401,
          code: 'BAD_LOGIN',
        });
      const expiresAt = at + SESSION_TTL_MS;
      const token = signToken(
        ctx.keys.session,
        'op',
        { u: account.username, r: account.role, t: account.tenant },
        expiresAt,
      );
      setCookie(reply, token, SESSION_TTL_MS / 1000, req.protocol === 'https');
      const answer = {
        username: account.username,
        role: account.role,
        tenant: account.tenant,
        expiresAt,
        permissions: allowed(account),
      };
      return req.body.bearer ? { ...answer, token } : answer;
    },
  );
  app.post(
    '/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Clears the session cookie (tokens expire on their own after 8 hours)',
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } },
      },
    },
    async (req, reply) => {
      setCookie(reply, '', 0, req.protocol === 'https');
      return { ok: true };
    },
  );
  app.get(
    '/v1/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is logged in',
        response: { 200: me, ...s.errors },
      },
    },
    async (req, reply) => {
      const p = operatorOf(ctx, req);
      if (!p)
        return reply
          .status(401)
          .type('application/problem+json')
          .send({ type: 'about:blank', title: 'not logged in', status: 401, code: 'UNAUTHENTICATED' });
      return { username: p.username, role: p.role, tenant: p.tenant, permissions: allowed(p) };
    },
  );
};
