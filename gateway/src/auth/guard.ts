// The Fastify side of auth: one onRequest hook per route folder (operator, holder, device),
// and the audit hook that writes every state-changing request (docs/decisions/0130, 0131).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditStore, DeviceStore, StoreParts } from '../store/port.js';
import type { Account } from './accounts.js';
import type { DeviceVerifier } from './device-verifier.js';
import { can, type Permission, type Principal } from './policy.js';
import { holderCardOf, type Session, sessionOf } from './sessions.js';
import type { AuthLimits } from './throttle.js';
import { MAX_TOKEN_LENGTH, type TokenKeys } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The card a holder token speaks for. */
    holderCard?: string;
    deviceId?: string;
    /** What a state-changing request acted on, for the audit log (a token, a device id; never a card number). */
    auditTarget?: string;
    /** Why, from a closed list (a counter top-up's reason), for the audit log. */
    auditReason?: string;
  }
  interface FastifyContextConfig {
    permission?: Permission;
    /** Audit action name, e.g. card.topup; state-changing routes name one. */
    audit?: string;
  }
}

export const SESSION_COOKIE = 'oc_session';

export interface AuthContext {
  keys: TokenKeys;
  accounts: ReadonlyMap<string, Account>;
  store: AuditStore & DeviceStore & Pick<StoreParts, 'auth'>;
  /** Device credentials (`Device <id>.<secret>`) against the stored hashes (decision 0170). */
  deviceVerifier: DeviceVerifier;
  now: () => number;
  /** Throttle rules, caps and token lifetimes; absent: throttle.ts defaultAuthLimits. */
  limits?: AuthLimits;
}

export class AuthError extends Error {
  constructor(
    readonly statusCode: 401 | 403,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function bearer(req: FastifyRequest, scheme = 'Bearer'): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith(`${scheme} `) ? h.slice(scheme.length + 1).trim() : undefined;
}

/**
 * The cookie's value, or undefined when absent or not decodable: a malformed cookie (`%`, a cut
 * UTF-8 sequence, kilobytes of it) is no session, answered 401 like none, never a 500.
 */
export function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    const raw = v.join('=');
    if (raw.length > 3 * MAX_TOKEN_LENGTH) return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The session the request carries (Bearer, else the cookie), or undefined. `anyBody`: for
 * logout, which ends the session however it is asked to (a forced logout gains nobody anything).
 */
export async function sessionOfRequest(
  ctx: AuthContext,
  req: FastifyRequest,
  anyBody = false,
): Promise<Session | undefined> {
  const fromCookie = cookie(req, SESSION_COOKIE);
  const token = bearer(req) ?? fromCookie;
  if (!token) return undefined;
  // A cookie goes with every request the browser makes, even one another site triggers; a
  // state change must then carry a JSON body, which a cross-site form cannot send (CSRF).
  if (!anyBody && fromCookie && !bearer(req) && req.method !== 'GET' && req.method !== 'HEAD') {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return undefined;
  }
  return sessionOf(ctx, token);
}

/**
 * The signed-in operator, or undefined. A removed or changed account (role, tenant, password)
 * loses its sessions; a logged-out session is refused (docs/decisions/0152).
 */
export async function operatorOf(ctx: AuthContext, req: FastifyRequest): Promise<Principal | undefined> {
  return (await sessionOfRequest(ctx, req))?.principal;
}

function permissionOf(req: FastifyRequest): Permission | undefined {
  return req.routeOptions.config.permission;
}

/** Operator routes: a valid session and the route's permission, else 401/403. */
export function guardOperators(app: FastifyInstance, ctx: AuthContext): void {
  app.addHook('onRequest', async (req) => {
    const p = await operatorOf(ctx, req);
    if (!p) throw new AuthError(401, 'UNAUTHENTICATED', 'log in first (session cookie or Bearer token)');
    req.principal = p;
    const permission = permissionOf(req);
    if (!permission || !can(p, permission))
      throw new AuthError(403, 'FORBIDDEN', `role ${p.role} may not ${permission ?? 'use this route'}`);
  });
  auditWrites(app, ctx);
}

/** The card token a valid holder token speaks for, or undefined (also once the card was reported lost). */
export async function holderOf(ctx: AuthContext, req: FastifyRequest): Promise<string | undefined> {
  const token = bearer(req);
  return token ? holderCardOf(ctx, token) : undefined;
}

/** The registered device whose credential the request carries, or undefined. */
export async function deviceOf(ctx: AuthContext, req: FastifyRequest): Promise<string | undefined> {
  const credential = bearer(req, 'Device');
  const deviceId = credential ? await ctx.deviceVerifier.verify(credential) : undefined;
  return deviceId && (await ctx.store.getDevice(deviceId)) ? deviceId : undefined;
}

/** Holder routes: a holder token (docs/decisions/0132); the routes only ever see that card. */
export function guardHolders(app: FastifyInstance, ctx: AuthContext): void {
  app.addHook('onRequest', async (req) => {
    req.holderCard = await holderOf(ctx, req);
    if (!req.holderCard) throw new AuthError(401, 'UNAUTHENTICATED', 'a holder token is required');
  });
  auditWrites(app, ctx);
}

/** Device-facing routes: a registered device's credential, or an operator allowed to read devices. */
export function guardDevices(app: FastifyInstance, ctx: AuthContext): void {
  app.addHook('onRequest', async (req) => {
    if (bearer(req, 'Device')) {
      req.deviceId = await deviceOf(ctx, req);
      if (req.deviceId) return;
      throw new AuthError(401, 'UNAUTHENTICATED', 'unknown device or wrong device credential');
    }
    const p = await operatorOf(ctx, req);
    if (p && can(p, 'devices:read')) req.principal = p;
    else
      throw new AuthError(
        p ? 403 : 401,
        p ? 'FORBIDDEN' : 'UNAUTHENTICATED',
        'a device credential is required',
      );
  });
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every state-changing request, allowed or refused by a rule, goes to the audit log before
 * the answer leaves (onSend): a client that saw "done" can rely on the entry existing.
 */
export function auditWrites(app: FastifyInstance, ctx: AuthContext): void {
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload) => {
    if (!WRITES.has(req.method) || reply.statusCode === 401) return payload;
    const params = req.params as Record<string, string> | undefined;
    const p = req.principal;
    await ctx.store.appendAudit({
      at: ctx.now(),
      actor: p ? p.username : req.holderCard ? 'holder' : 'unknown',
      role: p ? p.role : req.holderCard ? 'holder' : '',
      tenant: p?.tenant ?? '',
      action: req.routeOptions.config.audit ?? `${req.method} ${req.routeOptions.url ?? ''}`,
      target: req.auditTarget ?? params?.token ?? req.holderCard ?? '',
      status: reply.statusCode,
      ...(req.auditReason ? { reason: req.auditReason } : {}),
    });
    return payload;
  });
}
