// Operator sessions and holder tokens: what a token claims, and the store checks that end one
// before it expires (docs/decisions/0152). A session names its id (a logout revokes it), the
// account's session epoch (moved when the revoked set is full) and a fingerprint of the
// account's password hash (a password changed in the accounts file ends the sessions made
// with the old one). A holder token names its card's holder epoch (a lost report moves it).
import { randomBytes } from 'node:crypto';
import { isTokenHex } from '../../../core/pii.js';
import type { Account } from './accounts.js';
import type { AuthContext } from './guard.js';
import type { Principal } from './policy.js';
import { type AuthLimits, defaultAuthLimits } from './throttle.js';
import { keyedHash, signToken, verifyToken } from './tokens.js';

export function limitsOf(ctx: AuthContext): AuthLimits {
  return ctx.limits ?? defaultAuthLimits;
}

export interface Session {
  principal: Principal;
  /** The session id (claim j), random. */
  id: string;
  expiresAt: number;
}

/** Keyed, so the token (readable base64) tells nothing about the hash. */
function passwordFingerprint(ctx: AuthContext, account: Account): string {
  return keyedHash(ctx.keys.session, `password:${account.passwordHash}`);
}

/** Claims: u user, r role, t tenant, j session id, g account epoch, h password fingerprint. */
export async function mintSession(
  ctx: AuthContext,
  account: Account,
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = ctx.now() + limitsOf(ctx).sessionTtlMs;
  const claims = {
    u: account.username,
    r: account.role,
    t: account.tenant,
    j: randomBytes(16).toString('base64url'),
    g: await ctx.store.auth.sessionEpoch(account.username),
    h: passwordFingerprint(ctx, account),
  };
  return { token: signToken(ctx.keys.session, 'op', claims, expiresAt), expiresAt };
}

/**
 * The session a token carries, or undefined: malformed, forged, expired, revoked, of an
 * account that is gone or changed (role, tenant, password), or of an older account epoch.
 */
export async function sessionOf(ctx: AuthContext, token: string): Promise<Session | undefined> {
  const now = ctx.now();
  const c = verifyToken(ctx.keys.session, 'op', token, now);
  if (!c || typeof c.u !== 'string' || typeof c.j !== 'string' || typeof c.g !== 'number') return undefined;
  const account = ctx.accounts.get(c.u);
  if (!account || account.role !== c.r || account.tenant !== c.t) return undefined;
  if (c.h !== passwordFingerprint(ctx, account)) return undefined;
  const [revoked, epoch] = await Promise.all([
    ctx.store.auth.sessionRevoked(c.j, now),
    ctx.store.auth.sessionEpoch(account.username),
  ]);
  if (revoked || epoch !== c.g) return undefined;
  return {
    principal: { kind: 'operator', username: account.username, role: account.role, tenant: account.tenant },
    id: c.j,
    expiresAt: c.exp as number,
  };
}

/** Logout: the session stops working on every instance at once. */
export async function endSession(ctx: AuthContext, s: Session): Promise<void> {
  await ctx.store.auth.revokeSession(
    { id: s.id, username: s.principal.username, expiresAt: s.expiresAt },
    ctx.now(),
    limitsOf(ctx).maxRevoked,
  );
}

/** Claims: c card token, g the card's holder epoch when minted. */
export async function mintHolderToken(
  ctx: AuthContext,
  cardToken: string,
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = ctx.now() + limitsOf(ctx).holderTokenTtlMs;
  const g = await ctx.store.auth.holderEpoch(cardToken);
  return { token: signToken(ctx.keys.session, 'holder', { c: cardToken, g }, expiresAt), expiresAt };
}

/** The card a holder token speaks for, or undefined (also once the card was reported lost). */
export async function holderCardOf(ctx: AuthContext, token: string): Promise<string | undefined> {
  const c = verifyToken(ctx.keys.session, 'holder', token, ctx.now());
  if (!c || typeof c.c !== 'string' || !isTokenHex(c.c) || typeof c.g !== 'number') return undefined;
  return (await ctx.store.auth.holderEpoch(c.c)) === c.g ? c.c : undefined;
}
