// Failed-login throttling (docs/decisions/0152): per subject (an account name, a client
// address) failures are counted in a window; enough of them lock the subject, each further
// lockout twice as long up to a cap. Pure: the stores keep the records (store/ports/auth.ts),
// the SQLite adapter runs nextFailure, the Redis one the same steps in
// lua/noteLoginFailure-2.lua; the store contract holds both to the same results.

export interface ThrottleRule {
  /** Failures within windowMs that lock the subject. */
  maxFailures: number;
  windowMs: number;
  /** The first lockout; each further one doubles, up to maxLockMs. */
  lockMs: number;
  maxLockMs: number;
}

export interface ThrottleRecord {
  /** Failures counted since windowStart (0 right after a lockout began). */
  failures: number;
  windowStart: number;
  /** Lockouts so far; the next one lasts lockMs * 2^lockouts. */
  lockouts: number;
  /** Unix ms; 0 = never locked. */
  lockedUntil: number;
  /**
   * When the record is forgotten: a quiet window after the last failure or lockout, so a
   * subject that stops failing starts over at the first lockout's length.
   */
  expiresAt: number;
}

/** Doublings stop here; 2^30 lockMs is past any sensible cap anyway. */
export const MAX_LOCKOUTS = 30;

/** The record after one more failure at `now` (none, or expired: a fresh one). */
export function nextFailure(r: ThrottleRecord | undefined, rule: ThrottleRule, now: number): ThrottleRecord {
  const live = r && r.expiresAt > now ? r : undefined;
  // A failure that raced a lockout (its password check began before the lock) changes nothing.
  if (live && live.lockedUntil > now) return live;
  let { failures, windowStart, lockouts } = live ?? { failures: 0, windowStart: now, lockouts: 0 };
  let lockedUntil = live?.lockedUntil ?? 0;
  if (now - windowStart >= rule.windowMs) {
    failures = 0;
    windowStart = now;
  }
  failures += 1;
  if (failures >= rule.maxFailures) {
    lockedUntil = now + Math.min(rule.maxLockMs, rule.lockMs * 2 ** lockouts);
    lockouts = Math.min(lockouts + 1, MAX_LOCKOUTS);
    failures = 0;
    windowStart = now;
  }
  return {
    failures,
    windowStart,
    lockouts,
    lockedUntil,
    expiresAt: Math.max(now, lockedUntil) + rule.windowMs,
  };
}

/**
 * One counted failure taken back (a login counted before its password check, the password
 * right after all). A lockout that failure began stays: it was a real fifth attempt.
 */
export function forgiveFailure(r: ThrottleRecord | undefined, now: number): ThrottleRecord | undefined {
  return r && r.expiresAt > now && r.failures > 0 ? { ...r, failures: r.failures - 1 } : undefined;
}

/** Until when the record locks its subject as of now; 0 when it does not. */
export function lockedUntil(r: ThrottleRecord | undefined, now: number): number {
  return r && r.expiresAt > now && r.lockedUntil > now ? r.lockedUntil : 0;
}

export interface AuthLimits {
  /** Failed logins per account name (known or not: an unknown name must look the same). */
  account: ThrottleRule;
  /**
   * Failed logins per client address (req.ip: behind a proxy only right with
   * ONECARD_TRUST_PROXY). Higher: an office behind one NAT address shares it.
   */
  address: ThrottleRule;
  /** Throttle records kept at most; past it the soonest to expire go first. */
  maxThrottled: number;
  /** Revoked session ids kept at most; past it a logout ends every session of the account. */
  maxRevoked: number;
  /** Operator sessions live this long. */
  sessionTtlMs: number;
  /** Holder tokens live this long (ONECARD_HOLDER_TOKEN_TTL_SEC). */
  holderTokenTtlMs: number;
}

export const defaultAuthLimits: AuthLimits = {
  account: { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 30_000, maxLockMs: 15 * 60_000 },
  address: { maxFailures: 30, windowMs: 15 * 60_000, lockMs: 30_000, maxLockMs: 15 * 60_000 },
  maxThrottled: 100_000,
  maxRevoked: 100_000,
  sessionTtlMs: 8 * 3600_000,
  holderTokenTtlMs: 30 * 60_000,
};
