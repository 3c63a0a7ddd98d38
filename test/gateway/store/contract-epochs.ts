// Journal epochs (docs/decisions/0175): claimTaps holds each (device, epoch, seq) for the first
// content it came with, and commit() keys taps by (device, epoch, seq), so a device that lost
// its journal and starts again at seq 1 is charged for its new taps as what they are.
import { describe, expect, it } from 'vitest';
import { tapRecordId } from '../../../core/ledger.js';
import { issue, load, rideOf, tap, token } from './fixtures.js';
import { type CommitStores, outboxRecordIds, type StoreHarness } from './harness.js';

const E1 = '0123456789abcdef';
const E2 = 'fedcba9876543210';
const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
// The taps' own time: their claims live in the bucket of its day (docs/decisions/0196).
const T = Date.UTC(2026, 0, 5, 8);
/** The gateway's clock when it claims (0220): the taps' own instant. */
const NOW = T;

export function epochsContract(h: StoreHarness<CommitStores>): void {
  describe('tap keys: (device, epoch, seq)', () => {
    it('claims a key for its first content, again for the same content, never for other content', async () => {
      const store = h.store();
      expect(await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: T }], NOW)).toEqual([true]);
      expect(await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: T }], NOW)).toEqual([true]);
      expect(await store.claimTaps('bus-1', E1, [{ seq: 1, digest: B, at: T }], NOW)).toEqual([false]);
      // The refused content took nothing: the first content still holds the key.
      expect(await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: T }], NOW)).toEqual([true]);
    });

    it('answers each claim of a call in order, taking the free keys among held ones', async () => {
      const store = h.store();
      await store.claimTaps('bus-1', E1, [{ seq: 2, digest: A, at: T }], NOW);
      const answers = await store.claimTaps(
        'bus-1',
        E1,
        [
          { seq: 1, digest: A, at: T },
          { seq: 2, digest: B, at: T },
          { seq: 3, digest: B, at: T },
        ],
        NOW,
      );
      expect(answers).toEqual([true, false, true]);
      expect(await store.claimTaps('bus-1', E1, [{ seq: 3, digest: A, at: T }], NOW)).toEqual([false]);
    });

    it('keeps keys apart by epoch and by device, the legacy epoch included', async () => {
      const store = h.store();
      await store.claimTaps('bus-1', E1, [{ seq: 1, digest: A, at: T }], NOW);
      expect(await store.claimTaps('bus-1', E2, [{ seq: 1, digest: B, at: T }], NOW)).toEqual([true]);
      expect(await store.claimTaps('bus-1', '', [{ seq: 1, digest: B, at: T }], NOW)).toEqual([true]);
      expect(await store.claimTaps('bus-2', E1, [{ seq: 1, digest: B, at: T }], NOW)).toEqual([true]);
      expect(await store.claimTaps('bus-1', '', [{ seq: 1, digest: A, at: T }], NOW)).toEqual([false]);
    });

    it('claims more keys in one call than one Lua slice takes (1,000), each answered', async () => {
      const store = h.store();
      const many = Array.from({ length: 2_500 }, (_, i) => ({ seq: i + 1, digest: A, at: T }));
      expect((await store.claimTaps('bus-1', E1, many, NOW)).every(Boolean)).toBe(true);
      const mixed = many.map((c) => (c.seq % 2 === 0 ? { ...c, digest: B, at: T } : c));
      const answers = await store.claimTaps('bus-1', E1, mixed, NOW);
      expect(answers.filter((held) => !held)).toHaveLength(1_250);
      expect(answers[1_998]).toBe(true);
      expect(answers[1_999]).toBe(false);
    });

    it('answers an empty claim with nothing', async () => {
      expect(await h.store().claimTaps('bus-1', E1, [], NOW)).toEqual([]);
    });

    it('lets one of two gateways claiming one key with different content at once win, never both', async () => {
      const other = await h.open();
      const answers = await Promise.all([
        h.store().claimTaps('bus-1', E1, [{ seq: 9, digest: A, at: T }], NOW),
        other.claimTaps('bus-1', E1, [{ seq: 9, digest: B, at: T }], NOW),
      ]);
      expect(answers.flat().sort()).toEqual([false, true]);
    });

    it('charges the same seq under a new epoch as a new tap, with its own record id', async () => {
      const store = h.store();
      const card = await issue(store, 1, 1_000);
      const first = tap({ cardToken: token(1), seq: 1, epoch: E1 });
      expect((await store.commit([rideOf(card, first)]))[0]!.status).toBe('applied');
      const again = tap({ cardToken: token(1), seq: 1, epoch: E2 });
      const [outcome] = await store.commit([rideOf(await load(store, token(1)), again)]);
      expect(outcome).toEqual({
        status: 'applied',
        result: { outcome: 'charged', chargedFen: 200, balanceAfterFen: 600, reason: 'OK' },
      });
      expect((await load(store, token(1))).balanceFen).toBe(600);
      expect(await outboxRecordIds(store)).toEqual([`tap:bus-1:${E1}:1`, `tap:bus-1:${E2}:1`]);
    });

    it('keeps the legacy key and record id tap:<device>:<seq> for a tap without an epoch', async () => {
      const store = h.store();
      const card = await issue(store, 1, 1_000);
      const legacy = tap({ cardToken: token(1), seq: 4 });
      expect(tapRecordId(legacy)).toBe('tap:bus-1:4');
      await store.commit([rideOf(card, legacy)]);
      const [dup] = await store.commit([rideOf(await load(store, token(1)), legacy)]);
      expect(dup!.status).toBe('duplicate');
      expect(await store.committedResult(token(1), 'tap:bus-1:4', legacy.deviceTimeMs)).toMatchObject({
        chargedFen: 200,
      });
      expect(await outboxRecordIds(store)).toEqual(['tap:bus-1:4']);
    });
  });
}
