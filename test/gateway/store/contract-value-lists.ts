// The keyed lists besides deny (flags, regions, entitlements): versioned per (kind, scope),
// one version per changeList call, no-op changes dropped, a log to catch devices up, and paged
// entries for snapshots.
import { describe, expect, it } from 'vitest';
import type { ListChange, ListStore } from '../../../gateway/src/store/port.js';
import { T0, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

async function allEntries(
  h: StoreHarness<ListStore>,
  kind: 'flags' | 'regions',
  scope: string,
  page: number,
) {
  const out: ListChange[] = [];
  let cursor: string | undefined = '';
  while (cursor !== undefined) {
    const p = await h.store().listEntriesPage(kind, scope, cursor, page);
    out.push(...p.entries);
    cursor = p.next;
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

export function valueListsContract(h: StoreHarness<ListStore>): void {
  describe('keyed lists', () => {
    it('start empty at version 0', async () => {
      expect(await h.store().listVersion('flags', 'all')).toBe(0);
      expect(await h.store().listChangesSince('flags', 'all', 0, 10)).toEqual([]);
      expect(await h.store().listEntriesPage('flags', 'all', '', 10)).toEqual({
        entries: [],
        next: undefined,
      });
    });

    it('apply a batch of changes as one version and answer only the changes that took effect', async () => {
      const store = h.store();
      const first = await store.changeList(
        'flags',
        'all',
        [
          { key: token(1), value: '1' },
          { key: token(2), value: '4' },
        ],
        T0,
      );
      expect(first).toEqual({
        version: 1,
        at: T0,
        changes: [
          { key: token(1), value: '1' },
          { key: token(2), value: '4' },
        ],
      });
      const second = await store.changeList(
        'flags',
        'all',
        [
          { key: token(1), value: '1' },
          { key: token(2), value: '' },
          { key: token(3), value: '' },
        ],
        T0 + 1,
      );
      expect(second).toEqual({ version: 2, at: T0 + 1, changes: [{ key: token(2), value: '' }] });
      expect(await store.changeList('flags', 'all', [{ key: token(1), value: '1' }], T0 + 2)).toBeNull();
      expect(await store.listVersion('flags', 'all')).toBe(2);
      expect(await store.listSize('flags', 'all')).toBe(1);
    });

    it('keep kinds and scopes apart', async () => {
      const store = h.store();
      await store.changeList('entitlements', 'museum-1', [{ key: `${token(1)}:t1`, value: '{}' }], T0);
      await store.changeList('entitlements', 'museum-1:east', [{ key: `${token(1)}:t2`, value: '{}' }], T0);
      expect(await store.listVersion('entitlements', 'museum-1')).toBe(1);
      expect(await store.listVersion('entitlements', 'museum-1:east')).toBe(1);
      expect(await store.listVersion('flags', 'museum-1')).toBe(0);
      expect((await store.listEntriesPage('entitlements', 'museum-1', '', 10)).entries).toEqual([
        { key: `${token(1)}:t1`, value: '{}' },
      ]);
    });

    it('log every version in order, from any version on, at most limit versions', async () => {
      const store = h.store();
      for (let i = 1; i <= 5; i++)
        await store.changeList('regions', 'all', [{ key: `11000${i}`, value: '1' }], T0 + i);
      const since2 = await store.listChangesSince('regions', 'all', 2, 2);
      expect(since2).toEqual([
        { version: 3, at: T0 + 3, changes: [{ key: '110003', value: '1' }] },
        { version: 4, at: T0 + 4, changes: [{ key: '110004', value: '1' }] },
      ]);
      expect(await store.listChangesSince('regions', 'all', 5, 10)).toEqual([]);
    });

    it('page through the deny list, every entry exactly once', async () => {
      const store = h.store();
      const reasonOf = (i: number) => (i % 2 ? 'lost' : 'frozen');
      for (let i = 1; i <= 23; i++)
        await store.changeList('deny', 'all', [{ key: token(i), value: reasonOf(i) }], T0);
      const seen: Array<{ key: string; value: string }> = [];
      let cursor: string | undefined = '';
      while (cursor !== undefined) {
        const page = await store.listEntriesPage('deny', 'all', cursor, 5);
        seen.push(...page.entries);
        cursor = page.next;
      }
      expect(seen.sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual(
        Array.from({ length: 23 }, (_, i) => ({ key: token(i + 1), value: reasonOf(i + 1) })),
      );
      expect(seen).toHaveLength(23);
    });

    it('page through every entry exactly once', async () => {
      const store = h.store();
      const changes = Array.from({ length: 57 }, (_, i) => ({
        key: token(i + 1),
        value: String((i % 7) + 1),
      }));
      await store.changeList('flags', 'all', changes, T0);
      const seen = await allEntries(h, 'flags', 'all', 10);
      expect(seen).toEqual([...changes].sort((a, b) => (a.key < b.key ? -1 : 1)));
    });
  });
}
