// The deny list: a list kind like the others (docs/decisions/0184), key the card token, value the
// deny reason name; versioned, with a change log.
import { describe, expect, it } from 'vitest';
import { isGeneration } from '../../../core/lists/generation.js';
import type { ListStore } from '../../../gateway/src/store/port.js';
import { T0, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** Puts card n on the deny list for reason, or takes it off (reason ''). */
function deny(store: ListStore, n: number, reason: string, at: number) {
  return store.changeList('deny', 'all', [{ key: token(n), value: reason }], at);
}

/** Every entry, by token. */
async function entries(store: ListStore): Promise<Array<{ key: string; value: string }>> {
  const out: Array<{ key: string; value: string }> = [];
  let cursor: string | undefined = '';
  while (cursor !== undefined) {
    const page = await store.listEntriesPage('deny', 'all', cursor, 100);
    out.push(...page.entries);
    cursor = page.next;
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

export function listsContract(h: StoreHarness<ListStore>): void {
  it('has one store generation, begun when the store was created, the same on every connection (0184)', async () => {
    const generation = await h.store().listGeneration();
    expect(isGeneration(generation)).toBe(true);
    expect(await (await h.open()).listGeneration()).toBe(generation);
  });

  describe('deny list', () => {
    it('starts empty at version 0', async () => {
      expect(await h.store().listVersion('deny', 'all')).toBe(0);
      expect(await h.store().listEntriesPage('deny', 'all', '', 10)).toEqual({
        entries: [],
        next: undefined,
      });
      expect(await h.store().listChangesSince('deny', 'all', 0, 10)).toEqual([]);
    });

    it('adds an entry as the next version; the same add again changes nothing and answers null', async () => {
      const store = h.store();
      expect(await deny(store, 1, 'lost', T0)).toEqual({
        version: 1,
        at: T0,
        changes: [{ key: token(1), value: 'lost' }],
      });
      expect(await deny(store, 1, 'lost', T0 + 1)).toBeNull();
      expect(await store.listVersion('deny', 'all')).toBe(1);
    });

    it('counts a new reason for a listed card as a change', async () => {
      await deny(h.store(), 1, 'lost', T0);
      expect(await deny(h.store(), 1, 'frozen', T0 + 1)).toMatchObject({
        version: 2,
        changes: [{ value: 'frozen' }],
      });
      expect(await entries(h.store())).toEqual([{ key: token(1), value: 'frozen' }]);
    });

    it('removes an entry as the next version; removing an absent entry answers null', async () => {
      const store = h.store();
      expect(await deny(store, 2, '', T0)).toBeNull();
      await deny(store, 2, 'lost', T0);
      expect(await deny(store, 2, '', T0 + 1)).toMatchObject({
        version: 2,
        changes: [{ key: token(2), value: '' }],
      });
      expect(await deny(store, 2, '', T0 + 2)).toBeNull();
      expect(await store.listVersion('deny', 'all')).toBe(2);
      expect(await entries(store)).toEqual([]);
      expect(await store.listSize('deny', 'all')).toBe(0);
    });

    it('lists the changes after a version, oldest first, at most limit', async () => {
      const store = h.store();
      await deny(store, 1, 'lost', T0 + 1);
      await deny(store, 2, 'negative_balance', T0 + 2);
      await deny(store, 1, '', T0 + 3);
      expect(await store.listChangesSince('deny', 'all', 0, 10)).toEqual([
        { version: 1, at: T0 + 1, changes: [{ key: token(1), value: 'lost' }] },
        { version: 2, at: T0 + 2, changes: [{ key: token(2), value: 'negative_balance' }] },
        { version: 3, at: T0 + 3, changes: [{ key: token(1), value: '' }] },
      ]);
      expect((await store.listChangesSince('deny', 'all', 1, 1)).map((c) => c.version)).toEqual([2]);
      expect(await store.listChangesSince('deny', 'all', 3, 10)).toEqual([]);
    });

    it('keeps exactly the entries of the current version, by token', async () => {
      const store = h.store();
      for (const n of [5, 3, 4]) await deny(store, n, 'frozen', T0);
      await deny(store, 4, '', T0);
      expect(await store.listVersion('deny', 'all')).toBe(4);
      expect(await store.listSize('deny', 'all')).toBe(2);
      expect(await entries(store)).toEqual([
        { key: token(3), value: 'frozen' },
        { key: token(5), value: 'frozen' },
      ]);
    });

    it('numbers concurrent changes from two instances 1, 2, 3, ... without gaps or repeats', async () => {
      const other = await h.open();
      const changes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => deny(i % 2 === 0 ? h.store() : other, 100 + i, 'lost', T0 + i)),
      );
      expect(changes.map((c) => c!.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const log = await other.listChangesSince('deny', 'all', 0, 100);
      expect(log.map((c) => c.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await entries(h.store())).toHaveLength(20);
    });
  });
}
