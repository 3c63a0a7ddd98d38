// Operator login and logout. The session is a signed token (auth/tokens.ts) in an HttpOnly,
// SameSite=Strict cookie for the console; API clients ask for it in the body instead and send
// it as a Bearer token (docs/decisions/0130).
import type { FastifyReply } from 'fastify';
import { operatorOf, SESSION_COOKIE, sessionOfRequest } from '../../auth/guard.js';
import {
  auditName,
  beginLogin,
  loginLockedUntil,
  loginSubjects,
  noteLoginSuccess,
} from '../../auth/login.js';
import { verifyPassword } from '../../auth/passwords.js';
import { can, type Principal, permissions } from '../../auth/policy.js';
import { endSession, limitsOf, mintSession } from '../../auth/sessions.js';
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

const allowed = (p: Omit<Principal, 'kind'>) => permissions.filter((x) => can({ kind: 'operator', ...p }, x));
// Compared against when the username is unknown, so a wrong name costs as long as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function problem(reply: FastifyReply, status: number, code: string, title: string) {
  return reply
    .status(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, code });
}

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

export const authRoutes: RoutePlugin = async (app, { services }) => {
  const ctx = services.auth;
  app.post(
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
        response: { 200: me, ...s.errors, 429: { $ref: 'Problem#' } },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const subjects = loginSubjects(ctx, username, req.ip);
      const audit = (status: number, ok = false) => {
        const account = ok ? ctx.accounts.get(username) : undefined;
        return ctx.store.appendAudit({
          at: ctx.now(),
          actor: account?.username ?? 'unknown',
          role: account?.role ?? '',
          tenant: account?.tenant ?? '',
          action: 'auth.login',
          // Staff need to see guessing against an account; a name that is no account is only a
          // hash (someone may have typed a card or ID number).
          target: auditName(ctx, username),
          status,
        });
      };
      // Locked: refused before the password is checked, the right one too (else the lockout
      // would only slow the guessing down), and without counting (docs/decisions/0152). The
      // read first: a flood against a locked account then writes nothing.
      let lockedUntil = await loginLockedUntil(ctx, subjects);
      if (lockedUntil === 0) lockedUntil = await beginLogin(ctx, subjects);
      if (lockedUntil > 0) {
        // Counted, not audited: a refusal costs the sender nothing, so a flood of them would
        // grow the audit log (kept for good) without bound. The failures that locked are there.
        services.metrics.logins.inc({ outcome: 'throttled' });
        reply.header('retry-after', String(Math.max(1, Math.ceil((lockedUntil - ctx.now()) / 1000))));
        return problem(reply, 429, 'LOGIN_THROTTLED', 'too many failed logins; try again later');
      }
      const account = ctx.accounts.get(username);
      const ok = await verifyPassword(password, account?.passwordHash ?? DUMMY_HASH);
      if (!account || !ok) {
        // Counted already (beginLogin).
        services.metrics.logins.inc({ outcome: 'bad_login' });
        await audit(401);
        return problem(reply, 401, 'BAD_LOGIN', 'wrong username or password');
      }
      await noteLoginSuccess(ctx, subjects);
      services.metrics.logins.inc({ outcome: 'ok' });
      await audit(200, true);
      const { token, expiresAt } = await mintSession(ctx, account);
      setCookie(reply, token, limitsOf(ctx).sessionTtlMs / 1000, req.protocol === 'https');
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
        summary: 'Ends the session (cookie or Bearer token) on every instance and clears the cookie',
        response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } },
      },
    },
    async (req, reply) => {
      const session = await sessionOfRequest(ctx, req, true);
      if (session) {
        await endSession(ctx, session);
        await ctx.store.appendAudit({
          at: ctx.now(),
          actor: session.principal.username,
          role: session.principal.role,
          tenant: session.principal.tenant,
          action: 'auth.logout',
          target: session.principal.username,
          status: 200,
        });
      }
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
      const p = await operatorOf(ctx, req);
      if (!p) return problem(reply, 401, 'UNAUTHENTICATED', 'not logged in');
      return { username: p.username, role: p.role, tenant: p.tenant, permissions: allowed(p) };
    },
  );
};
