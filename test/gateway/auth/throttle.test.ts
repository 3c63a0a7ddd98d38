// The throttle's arithmetic (gateway/src/auth/throttle.ts), pure; the stores' behaviour with
// it is the store contract's (test/gateway/store/contract-auth.ts).
import { describe, expect, it } from 'vitest';
import { lockedUntil, nextFailure, type ThrottleRecord } from '../../../gateway/src/auth/throttle.js';

const rule = { maxFailures: 2, windowMs: 1_000, lockMs: 100, maxLockMs: 250 };
const T0 = 1_750_000_000_000;

describe('nextFailure', () => {
  it('starts a record, locks at maxFailures, doubles up to the cap', () => {
    let r: ThrottleRecord | undefined;
    const locks: number[] = [];
    let now = T0;
    for (let i = 0; i < 8; i++) {
      r = nextFailure(r, rule, now);
      if (r.lockedUntil > now) {
        locks.push(r.lockedUntil - now);
        now = r.lockedUntil;
      }
    }
    expect(locks).toEqual([100, 200, 250, 250]);
    expect(r).toMatchObject({ lockouts: 4, failures: 0 });
  });

  it('forgets an expired record and keeps a live lock as it is', () => {
    const locked = nextFailure(nextFailure(undefined, rule, T0), rule, T0);
    expect(lockedUntil(locked, T0 + 99)).toBe(T0 + 100);
    expect(lockedUntil(locked, T0 + 100)).toBe(0);
    expect(nextFailure(locked, rule, T0 + 50)).toBe(locked);
    expect(locked.expiresAt).toBe(T0 + 100 + rule.windowMs);
    expect(nextFailure(locked, rule, locked.expiresAt)).toMatchObject({ failures: 1, lockouts: 0 });
  });
});
