// The dedupe window (docs/decisions/0196): tap dedupe keys and claims live for the window of
// days (Redis: day buckets that expire; SQLite: rows pruned), and each claim raises the device's
// high-water mark for its epoch, which outlives them, so a tap older than the window is known to
// have come before. Keys of effects other than taps are kept for good. Time is passed in.
import { describe, expect, it } from 'vitest';
import { DAY_MS, DEFAULT_DEDUPE_WINDOW_DAYS } from '../../../core/dedupe-window.js';
import { issue, load, rideOf, T0, tap, token, topUpOf } from './fixtures.js';
import type { CommitStores, StoreHarness } from './harness.js';

/** The gateway's clock when it claims (0220). */
const NOW = T0;
const E1 = '0123456789abcdef';
const E2 = 'fedcba9876543210';
const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';

export function windowContract(h: StoreHarness<CommitStores>): void {
  describe('the dedupe window', () => {
    it("raises the device's mark with every claim: seqs at or below it came before", async () => {
      const store = h.store();
      await store.claimTaps(
        'bus-1',
        E1,
        [
          { seq: 7, digest: A, at: T0 },
          { seq: 3, digest: A, at: T0 - 2 * DAY_MS },
        ],
        NOW,
      );
      expect(await store.seenBeforeWindow('bus-1', E1, [1, 7, 8])).toEqual([true, true, false]);
      // A claim refused (other content) still leaves the mark where it was, never lower.
      await store.claimTaps('bus-1', E1, [{ seq: 2, digest: B, at: T0 }], NOW);
      expect(await store.seenBeforeWindow('bus-1', E1, [7, 8])).toEqual([true, false]);
      // The mark is the device's and the epoch's: the legacy epoch, another epoch or device have none.
      expect(await store.seenBeforeWindow('bus-1', E2, [1])).toEqual([false]);
      expect(await store.seenBeforeWindow('bus-1', '', [1])).toEqual([false]);
      expect(await store.seenBeforeWindow('bus-2', E1, [1])).toEqual([false]);
      expect(await store.seenBeforeWindow('bus-1', E1, [])).toEqual([]);
    });

    it('answers one claim per seq whatever day its content claims, one call spanning days', async () => {
      const store = h.store();
      const days = [T0, T0 + DAY_MS, T0 + 2 * DAY_MS];
      expect(
        await store.claimTaps(
          'bus-1',
          E1,
          days.map((at, i) => ({ seq: i + 1, digest: A, at })),
          NOW,
        ),
      ).toEqual([true, true, true]);
      expect(
        await store.claimTaps(
          'bus-1',
          E1,
          days.map((at, i) => ({ seq: i + 1, digest: i === 1 ? B : A, at })),
          NOW,
        ),
      ).toEqual([true, false, true]);
      // The attack of 0220: a seq sent again with other content dated on another day (earlier
      // or later, inside the window) is the same seq: never taken a second time.
      expect(
        await store.claimTaps(
          'bus-1',
          E1,
          [
            { seq: 1, digest: B, at: T0 + DAY_MS },
            { seq: 2, digest: B, at: T0 - DAY_MS },
            { seq: 3, digest: B, at: T0 + 5 * DAY_MS },
          ],
          NOW,
        ),
      ).toEqual([false, false, false]);
      // Their own content still holds them.
      expect(
        await store.claimTaps(
          'bus-1',
          E1,
          days.map((at, i) => ({ seq: i + 1, digest: A, at })),
          NOW,
        ),
      ).toEqual([true, true, true]);
    });

    it('keeps every tap key and claim of the window through a prune', async () => {
      const store = h.store();
      const card = await issue(store, 1, 1_000);
      const ride = tap({ cardToken: token(1), seq: 1, epoch: E1 });
      await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: ride.deviceTimeMs }], NOW);
      await store.commit([rideOf(card, ride)]);
      // The last instant the window still admits this tap: its day is `window` days before today.
      const lastDay = ride.deviceTimeMs + DEFAULT_DEDUPE_WINDOW_DAYS * DAY_MS;
      expect(await store.pruneDedupe(lastDay)).toBe(0);
      const [again] = await store.commit([rideOf(await load(store, token(1)), ride)]);
      expect(again!.status).toBe('duplicate');
      expect(await store.claimTaps('bus-1', E1, [{ seq: 1, digest: B, at: ride.deviceTimeMs }], NOW)).toEqual(
        [false],
      );
      expect((await load(store, token(1))).balanceFen).toBe(800);
    });

    it('never prunes the keys of effects other than taps', async () => {
      const store = h.store();
      const card = await issue(store, 1, 1_000);
      await store.commit([topUpOf(card, 'req-1', 500)]);
      await store.pruneDedupe(T0 + 10 * 365 * DAY_MS);
      const [again] = await store.commit([topUpOf(await load(store, token(1)), 'req-1', 500)]);
      expect(again!.status).toBe('duplicate');
      expect((await load(store, token(1))).balanceFen).toBe(1_500);
    });
  });
}
