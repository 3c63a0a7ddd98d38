// The deny list (versioned, with a change log).
import { describe, expect, it } from 'vitest';
import type { ListStore } from '../../../gateway/src/store/port.js';
import { T0, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

export function listsContract(h: StoreHarness<ListStore>): void {
  describe('deny list', () => {
    it('starts empty at version 0', async () => {
      expect(await h.store().denyListVersion()).toBe(0);
      expect(await h.store().denySnapshot()).toEqual({ version: 0, entries: [] });
      expect(await h.store().denyChangesSince(0, 10)).toEqual([]);
    });

    it('adds an entry as the next version; the same add again changes nothing and answers null', async () => {
      const store = h.store();
      expect(await store.changeDenyList(token(1), true, 'lost', T0)).toEqual({
        version: 1,
        token: token(1),
        add: true,
        reason: 'lost',
        at: T0,
      });
      expect(await store.changeDenyList(token(1), true, 'lost', T0 + 1)).toBeNull();
      expect(await store.denyListVersion()).toBe(1);
    });

    it('counts a new reason for a listed card as a change', async () => {
      await h.store().changeDenyList(token(1), true, 'lost', T0);
      expect(await h.store().changeDenyList(token(1), true, 'frozen', T0 + 1)).toMatchObject({
        version: 2,
        reason: 'frozen',
      });
      expect((await h.store().denySnapshot()).entries).toEqual([{ token: token(1), reason: 'frozen' }]);
    });

    it('removes an entry as the next version; removing an absent entry answers null', async () => {
      const store = h.store();
      expect(await store.changeDenyList(token(2), false, 'lost', T0)).toBeNull();
      await store.changeDenyList(token(2), true, 'lost', T0);
      expect(await store.changeDenyList(token(2), false, 'lost', T0 + 1)).toMatchObject({
        version: 2,
        add: false,
      });
      expect(await store.changeDenyList(token(2), false, 'lost', T0 + 2)).toBeNull();
      expect(await store.denySnapshot()).toEqual({ version: 2, entries: [] });
    });

    it('lists the changes after a version, oldest first, at most limit', async () => {
      const store = h.store();
      await store.changeDenyList(token(1), true, 'lost', T0 + 1);
      await store.changeDenyList(token(2), true, 'negative_balance', T0 + 2);
      await store.changeDenyList(token(1), false, 'lost', T0 + 3);
      expect(await store.denyChangesSince(0, 10)).toEqual([
        { version: 1, token: token(1), add: true, reason: 'lost', at: T0 + 1 },
        { version: 2, token: token(2), add: true, reason: 'negative_balance', at: T0 + 2 },
        { version: 3, token: token(1), add: false, reason: 'lost', at: T0 + 3 },
      ]);
      expect((await store.denyChangesSince(1, 1)).map((c) => c.version)).toEqual([2]);
      expect(await store.denyChangesSince(3, 10)).toEqual([]);
    });

    it('snapshots exactly the entries of the current version, by token', async () => {
      const store = h.store();
      for (const n of [5, 3, 4]) await store.changeDenyList(token(n), true, 'frozen', T0);
      await store.changeDenyList(token(4), false, 'frozen', T0);
      expect(await store.denySnapshot()).toEqual({
        version: 4,
        entries: [
          { token: token(3), reason: 'frozen' },
          { token: token(5), reason: 'frozen' },
        ],
      });
    });

    it('numbers concurrent changes from two instances 1, 2, 3, ... without gaps or repeats', async () => {
      const other = await h.open();
      const changes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? h.store() : other).changeDenyList(token(100 + i), true, 'lost', T0 + i),
        ),
      );
      expect(changes.map((c) => c!.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const log = await other.denyChangesSince(0, 100);
      expect(log.map((c) => c.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await h.store().denySnapshot()).entries).toHaveLength(20);
    });
  });
}
