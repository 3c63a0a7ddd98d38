// The store's auth part on Redis (ports/auth.ts): the account and session sets under one hash
// tag {auth} (low traffic: logins, logouts, one read per operator request), a card's holder
// epoch in the card's partition (read on every holder request, so spread like the cards).
import { lockedUntil, MAX_LOCKOUTS, type ThrottleRule } from '../auth/throttle.js';
import type { AuthStore } from './ports/auth.js';
import type { RedisClient } from './redis-client.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import type { RedisKeys } from './redis-keys.js';
import type { Scripts } from './redis-scripts.js';

/** The record lua/noteLoginFailure-2.lua writes. */
function parseRecord(s: string | null) {
  const m = s === null ? null : /^(\d+):(\d+):(\d+):(\d+):(\d+)$/.exec(s);
  if (!m) return undefined;
  const [failures, windowStart, lockouts, lockedUntil, expiresAt] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return { failures, windowStart, lockouts, lockedUntil, expiresAt };
}

export class RedisAuthStore implements AuthStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
  ) {}

  async loginLockedUntil(subjects: readonly string[], now: number): Promise<number> {
    if (subjects.length === 0) return 0;
    const stored = await this.redis.hmget(this.keys.loginThrottle(), ...subjects);
    return Math.max(0, ...stored.map((s) => lockedUntil(parseRecord(s), now)));
  }

  async noteLoginFailure(
    subject: string,
    rule: ThrottleRule,
    now: number,
    cap: number,
  ): Promise<{ counted: boolean; lockedUntil: number }> {
    const reply = await this.scripts.run(
      'noteLoginFailure',
      [this.keys.loginThrottle(), this.keys.loginThrottleExpiry()],
      [subject, now, rule.maxFailures, rule.windowMs, rule.lockMs, rule.maxLockMs, cap, MAX_LOCKOUTS],
    );
    const [code, lockedUntil] = reply as [number, number];
    return {
      counted: resultCode('noteLoginFailure', code) === ScriptResult.OK,
      lockedUntil: Number(lockedUntil),
    };
  }

  async forgiveLoginFailure(subject: string, now: number): Promise<void> {
    const reply = await this.scripts.run('forgiveLoginFailure', [this.keys.loginThrottle()], [subject, now]);
    resultCode('forgiveLoginFailure', reply);
  }

  async clearLoginFailures(subject: string): Promise<void> {
    await Promise.all([
      this.redis.hdel(this.keys.loginThrottle(), subject),
      this.redis.zrem(this.keys.loginThrottleExpiry(), subject),
    ]);
  }

  async revokeSession(
    s: { id: string; username: string; expiresAt: number },
    now: number,
    cap: number,
  ): Promise<'revoked' | 'account'> {
    const reply = await this.scripts.run(
      'revokeSession',
      [this.keys.revokedSessions(), this.keys.sessionEpochs()],
      [s.id, s.username, s.expiresAt, now, cap],
    );
    return resultCode('revokeSession', reply) === ScriptResult.OK ? 'revoked' : 'account';
  }

  async sessionRevoked(id: string, now: number): Promise<boolean> {
    const expires = await this.redis.zscore(this.keys.revokedSessions(), id);
    return expires !== null && Number(expires) > now;
  }

  async sessionEpoch(username: string): Promise<number> {
    return Number((await this.redis.hget(this.keys.sessionEpochs(), username)) ?? 0);
  }

  async authSizes(): Promise<{ throttled: number; revoked: number }> {
    const [throttled, revoked] = await Promise.all([
      this.redis.zcard(this.keys.loginThrottleExpiry()),
      this.redis.zcard(this.keys.revokedSessions()),
    ]);
    return { throttled, revoked };
  }

  async holderEpoch(cardToken: string): Promise<number> {
    return Number((await this.redis.get(this.keys.holderEpoch(cardToken))) ?? 0);
  }

  async bumpHolderEpoch(cardToken: string): Promise<number> {
    return this.redis.incr(this.keys.holderEpoch(cardToken));
  }
}
