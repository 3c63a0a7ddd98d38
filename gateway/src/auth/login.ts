// The login throttle at the login route (docs/decisions/0152): failures are counted per
// account name and per client address in the store, so every instance sees the same counts.
// Unknown names count as known ones do (a lockout must not tell which names exist). Names and
// addresses are keyed hashes wherever they are kept: someone may type a card or ID number as
// a username.
import type { AuthContext } from './guard.js';
import { limitsOf } from './sessions.js';
import { keyedHash } from './tokens.js';

export interface LoginSubjects {
  account: string;
  address: string;
}

export function loginSubjects(ctx: AuthContext, username: string, address: string): LoginSubjects {
  return {
    account: `a:${keyedHash(ctx.keys.subjects, `account:${username}`)}`,
    address: `ip:${keyedHash(ctx.keys.subjects, `address:${address}`)}`,
  };
}

/** Until when a login for these subjects is refused without a password check (0: it is not). */
export function loginLockedUntil(ctx: AuthContext, s: LoginSubjects): Promise<number> {
  return ctx.store.auth.loginLockedUntil([s.account, s.address], ctx.now());
}

export async function noteLoginFailure(ctx: AuthContext, s: LoginSubjects): Promise<void> {
  const limits = limitsOf(ctx);
  const now = ctx.now();
  await Promise.all([
    ctx.store.auth.noteLoginFailure(s.account, limits.account, now, limits.maxThrottled),
    ctx.store.auth.noteLoginFailure(s.address, limits.address, now, limits.maxThrottled),
  ]);
}

/**
 * A right password clears the account's count, not the address's: else one working account
 * would let an address guess at the others without end.
 */
export async function noteLoginSuccess(ctx: AuthContext, s: LoginSubjects): Promise<void> {
  await ctx.store.auth.clearLoginFailures(s.account);
}

/** How a login attempt names its user in the audit log: an account, or a hash of what was typed. */
export function auditName(ctx: AuthContext, username: string): string {
  return ctx.accounts.has(username)
    ? username
    : `unknown:${keyedHash(ctx.keys.subjects, `name:${username}`).slice(0, 12)}`;
}
