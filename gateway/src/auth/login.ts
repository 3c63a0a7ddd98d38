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

/**
 * Counts the attempt as a failure before its password is checked, so that a burst sent in
 * parallel gets no more password checks than one sent in a row (each would otherwise pass the
 * lock check before any failure was counted). Answers until when the login is refused, or 0
 * to go on to the password check; a refused attempt's counts are taken back.
 */
export async function beginLogin(ctx: AuthContext, s: LoginSubjects): Promise<number> {
  const limits = limitsOf(ctx);
  const now = ctx.now();
  const [account, address] = await Promise.all([
    ctx.store.auth.noteLoginFailure(s.account, limits.account, now, limits.maxThrottled),
    ctx.store.auth.noteLoginFailure(s.address, limits.address, now, limits.maxThrottled),
  ]);
  if (account.counted && address.counted) return 0;
  await Promise.all([
    account.counted ? ctx.store.auth.forgiveLoginFailure(s.account, now) : undefined,
    address.counted ? ctx.store.auth.forgiveLoginFailure(s.address, now) : undefined,
  ]);
  return Math.max(account.lockedUntil, address.lockedUntil);
}

/**
 * A right password clears the account's count; the address only gets this attempt's count
 * back: else one working account would let an address guess at the others without end.
 */
export async function noteLoginSuccess(ctx: AuthContext, s: LoginSubjects): Promise<void> {
  await Promise.all([
    ctx.store.auth.clearLoginFailures(s.account),
    ctx.store.auth.forgiveLoginFailure(s.address, ctx.now()),
  ]);
}

/** How a login attempt names its user in the audit log: an account, or a hash of what was typed. */
export function auditName(ctx: AuthContext, username: string): string {
  return ctx.accounts.has(username)
    ? username
    : `unknown:${keyedHash(ctx.keys.subjects, `name:${username}`).slice(0, 12)}`;
}
