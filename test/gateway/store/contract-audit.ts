// The audit log: append-only, newest first, paged without gaps or repeats, shared by instances.
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditStore } from '../../../gateway/src/store/port.js';
import { T0, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

function entry(i: number): AuditEntry {
  return {
    at: T0 + i,
    actor: `staff${i}`,
    role: 'card_service',
    tenant: '',
    action: 'card.topup',
    target: token(i),
    status: 200,
  };
}

export function auditContract(h: StoreHarness<AuditStore>): void {
  describe('audit log', () => {
    it('starts empty', async () => {
      expect(await h.store().queryAudit({ limit: 10 })).toEqual({ items: [] });
    });

    it('answers the entries newest first, exactly as appended', async () => {
      for (const i of [1, 2, 3]) await h.store().appendAudit(entry(i));
      const page = await h.store().queryAudit({ limit: 10 });
      expect(page.items.map(({ id: _id, ...e }) => e)).toEqual([entry(3), entry(2), entry(1)]);
      expect(page.nextCursor).toBeUndefined();
    });

    it('pages through every entry once, also when entries arrive between pages', async () => {
      for (let i = 0; i < 5; i++) await h.store().appendAudit(entry(i));
      const first = await h.store().queryAudit({ limit: 2 });
      expect(first.items.map((e) => e.actor)).toEqual(['staff4', 'staff3']);
      await h.store().appendAudit(entry(9));
      const second = await h.store().queryAudit({ limit: 2, cursor: first.nextCursor });
      const third = await h.store().queryAudit({ limit: 2, cursor: second.nextCursor });
      expect([...second.items, ...third.items].map((e) => e.actor)).toEqual(['staff2', 'staff1', 'staff0']);
      expect(third.nextCursor).toBeUndefined();
    });

    it('is shared by every connection to the same data', async () => {
      const other = await h.open();
      await other.appendAudit(entry(7));
      expect((await h.store().queryAudit({ limit: 1 })).items[0]).toMatchObject(entry(7));
    });

    it('refuses a cursor it did not make', async () => {
      await expect(h.store().queryAudit({ limit: 1, cursor: 'x; DROP' })).rejects.toThrow(
        /not an audit cursor/,
      );
    });
  });
}
