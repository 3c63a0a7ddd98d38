// The store's auth part (gateway/src/store/ports/auth.ts, docs/decisions/0152): failed-login
// counters with lockout and backoff, revoked sessions, session and holder-token epochs. Both
// stores give the same answers, every instance sees the same counts, and every set stays under
// its cap however many subjects a flood brings.
import { describe, expect, it } from 'vitest';
import type { ThrottleRule } from '../../../gateway/src/auth/throttle.js';
import type { StoreParts } from '../../../gateway/src/store/port.js';
import { T0, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const rule: ThrottleRule = { maxFailures: 3, windowMs: 60_000, lockMs: 1_000, maxLockMs: 4_000 };
const CAP = 50;

export function authContract(h: StoreHarness<Pick<StoreParts, 'auth'>>): void {
  const note = (subject: string, now: number, cap = CAP) =>
    h.store().auth.noteLoginFailure(subject, rule, now, cap);
  /** Until when the subject is locked after one more failure. */
  const fail = async (subject: string, now: number, cap = CAP) => (await note(subject, now, cap)).lockedUntil;

  describe('failed logins', () => {
    it('lock a subject after maxFailures in the window, for lockMs', async () => {
      const auth = h.store().auth;
      expect(await auth.loginLockedUntil(['s1'], T0)).toBe(0);
      expect(await fail('s1', T0)).toBe(0);
      expect(await fail('s1', T0 + 1)).toBe(0);
      expect(await fail('s1', T0 + 2)).toBe(T0 + 2 + 1_000);
      expect(await auth.loginLockedUntil(['other', 's1'], T0 + 500)).toBe(T0 + 1_002);
      expect(await auth.loginLockedUntil(['s1'], T0 + 1_002)).toBe(0);
      expect(await auth.loginLockedUntil(['other'], T0 + 500)).toBe(0);
    });

    it('are not counted while the subject is locked, and say so', async () => {
      expect(await note('s1', T0)).toEqual({ counted: true, lockedUntil: 0 });
      expect(await note('s1', T0 + 1)).toEqual({ counted: true, lockedUntil: 0 });
      // The failure that locks is counted (it was a real attempt); the ones during the lock not.
      expect(await note('s1', T0 + 2)).toEqual({ counted: true, lockedUntil: T0 + 1_002 });
      expect(await note('s1', T0 + 10)).toEqual({ counted: false, lockedUntil: T0 + 1_002 });
      expect(await note('s1', T0 + 20)).toEqual({ counted: false, lockedUntil: T0 + 1_002 });
      // After the lock: a full count again before the next lockout.
      expect(await fail('s1', T0 + 1_002)).toBe(0);
      expect(await fail('s1', T0 + 1_003)).toBe(0);
    });

    it('double the lockout each time, up to maxLockMs', async () => {
      let now = T0;
      const lengths: number[] = [];
      for (let lockout = 0; lockout < 5; lockout++) {
        let until = 0;
        for (let i = 0; i < rule.maxFailures; i++) until = await fail('s1', now);
        lengths.push(until - now);
        now = until;
      }
      expect(lengths).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
    });

    it('start the count over when the window has passed', async () => {
      await fail('s1', T0);
      await fail('s1', T0 + 1);
      expect(await fail('s1', T0 + rule.windowMs)).toBe(0);
      expect(await fail('s1', T0 + rule.windowMs + 1)).toBe(0);
      expect(await fail('s1', T0 + rule.windowMs + 2)).toBeGreaterThan(0);
    });

    it('forget a subject a quiet window after its lockout: the next lockout is the first length again', async () => {
      for (const i of [0, 1, 2]) await fail('s1', T0 + i);
      const later = T0 + 1_002 + rule.windowMs;
      for (const i of [0, 1]) await fail('s1', later + i);
      expect(await fail('s1', later + 2)).toBe(later + 2 + 1_000);
    });

    it('are taken back one at a time (a login counted before its right password), never below 0', async () => {
      const auth = h.store().auth;
      await fail('s1', T0);
      await fail('s1', T0 + 1);
      await auth.forgiveLoginFailure('s1', T0 + 2);
      await auth.forgiveLoginFailure('s1', T0 + 2);
      await auth.forgiveLoginFailure('s1', T0 + 2);
      await auth.forgiveLoginFailure('never-seen', T0 + 2);
      expect(await fail('s1', T0 + 3)).toBe(0);
      expect(await fail('s1', T0 + 4)).toBe(0);
      expect(await fail('s1', T0 + 5)).toBe(T0 + 1_005);
      // A lockout stays.
      await auth.forgiveLoginFailure('s1', T0 + 6);
      expect(await auth.loginLockedUntil(['s1'], T0 + 6)).toBe(T0 + 1_005);
    });

    it('are cleared for a subject (a right password), and for that subject only', async () => {
      for (const s of ['s1', 's2']) for (const i of [0, 1]) await fail(s, T0 + i);
      await h.store().auth.clearLoginFailures('s1');
      expect(await fail('s1', T0 + 2)).toBe(0);
      expect(await fail('s2', T0 + 2)).toBe(T0 + 1_002);
    });

    it('are counted once each by concurrent instances', async () => {
      const other = await h.open();
      const until = await Promise.all(
        [h.store(), other, h.store(), other].map((s) => s.auth.noteLoginFailure('s1', rule, T0, CAP)),
      );
      expect(until.filter((u) => u.counted)).toHaveLength(3);
      expect(until.map((u) => u.lockedUntil).sort((a, b) => a - b)).toEqual([0, 0, T0 + 1_000, T0 + 1_000]);
      expect(await other.auth.loginLockedUntil(['s1'], T0)).toBe(T0 + 1_000);
    });

    it('keep at most cap subjects, dropping the soonest to expire first, so a locked one outlives a flood', async () => {
      for (const i of [0, 1, 2]) await fail('locked', T0 + i);
      await fail('once', T0 + 3);
      for (let i = 0; i < 3 * CAP; i++) await fail(`flood-${i}`, T0 + 10);
      expect((await h.store().auth.authSizes()).throttled).toBe(CAP);
      expect(await h.store().auth.loginLockedUntil(['locked'], T0 + 10)).toBe(T0 + 1_002);
      // 'once' was dropped: two more failures do not lock it.
      expect(await fail('once', T0 + 11)).toBe(0);
      expect(await fail('once', T0 + 12)).toBe(0);
    });

    it('drop expired records', async () => {
      for (let i = 0; i < 10; i++) await fail(`old-${i}`, T0);
      await fail('new', T0 + rule.windowMs);
      expect((await h.store().auth.authSizes()).throttled).toBe(1);
    });
  });

  describe('sessions', () => {
    const session = (id: string, expiresAt = T0 + 10_000) => ({ id, username: 'root', expiresAt });

    it('are revoked until they would expire, for every instance', async () => {
      const auth = h.store().auth;
      expect(await auth.sessionRevoked('j1', T0)).toBe(false);
      expect(await auth.revokeSession(session('j1'), T0, CAP)).toBe('revoked');
      expect(await (await h.open()).auth.sessionRevoked('j1', T0 + 9_999)).toBe(true);
      expect(await auth.sessionRevoked('j1', T0 + 10_000)).toBe(false);
      expect(await auth.sessionRevoked('j2', T0)).toBe(false);
      expect(await auth.sessionEpoch('root')).toBe(0);
    });

    it('keep at most cap revoked ids; past it a logout ends every session of the account', async () => {
      const auth = h.store().auth;
      for (let i = 0; i < CAP; i++)
        expect(await auth.revokeSession(session(`j${i}`), T0, CAP)).toBe('revoked');
      expect(await auth.revokeSession(session('j0'), T0, CAP)).toBe('revoked');
      expect(await auth.revokeSession(session('extra'), T0, CAP)).toBe('account');
      expect(await auth.revokeSession({ ...session('extra2'), username: 'other' }, T0, CAP)).toBe('account');
      expect(await auth.sessionEpoch('root')).toBe(1);
      expect(await auth.sessionEpoch('other')).toBe(1);
      expect((await auth.authSizes()).revoked).toBe(CAP);
      // Once the old ids expire there is room again.
      expect(await auth.revokeSession(session('late', T0 + 20_000), T0 + 10_000, CAP)).toBe('revoked');
      expect((await auth.authSizes()).revoked).toBe(1);
    });
  });

  describe('holder-token epochs', () => {
    it('start at 0 and grow per card', async () => {
      const auth = h.store().auth;
      expect(await auth.holderEpoch(token(1))).toBe(0);
      expect(await auth.bumpHolderEpoch(token(1))).toBe(1);
      expect(await auth.bumpHolderEpoch(token(1))).toBe(2);
      expect(await (await h.open()).auth.holderEpoch(token(1))).toBe(2);
      expect(await auth.holderEpoch(token(2))).toBe(0);
    });
  });
}
