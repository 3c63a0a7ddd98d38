// Defence in depth (docs/decisions/0156): a store refuses, before writing anything, a balance or
// an amount that is not a safe integer of fen, whatever the caller planned.
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../core/ledger.js';
import type { LedgerStore, OutboxStore } from '../../../gateway/src/store/port.js';
import { issue, load, newCard, token, topUpOf } from './fixtures.js';
import { outboxRecordIds, type StoreHarness } from './harness.js';

const BAD = [Infinity, -Infinity, Number.NaN, 1.5, 2 ** 53, -(2 ** 60)];

export function amountsContract(h: StoreHarness<LedgerStore & OutboxStore>): void {
  describe('amounts that are not safe integers of fen', () => {
    it.each(BAD)('are refused as an issued balance (%s), and no card is made', async (bad) => {
      await expect(h.store().issueCard({ ...newCard(1), balanceFen: bad })).rejects.toThrow(/safe integer/);
      expect((await load(h.store(), token(1))).known).toBe(false);
    });

    it.each(BAD)(
      'are refused in a commit (%s): neither that effect nor the others in the call are written',
      async (bad) => {
        const a = await issue(h.store(), 1, 1_000);
        const b = await issue(h.store(), 2, 1_000);
        const good = topUpOf(a, 'good-1', 500);
        const planned = topUpOf(b, 'bad-1', 500);
        const forged: Effect = {
          ...planned,
          newBalanceFen: bad,
          record: { ...planned.record, balanceAfterFen: bad },
          result: { ...planned.result, balanceAfterFen: bad },
        };
        await expect(h.store().commit([good, forged])).rejects.toThrow(/safe integer/);
        expect(await load(h.store(), token(1))).toMatchObject({ balanceFen: 1_000, version: 1 });
        expect(await load(h.store(), token(2))).toMatchObject({ balanceFen: 1_000, version: 1 });
        expect(await outboxRecordIds(h.store())).toEqual([]);
      },
    );

    it('are refused as a record amount too (a top-up of Infinity)', async () => {
      const a = await issue(h.store(), 1, 1_000);
      const planned = topUpOf(a, 'inf-1', 500);
      const forged: Effect = { ...planned, record: { ...planned.record, amountFen: Infinity } };
      await expect(h.store().commit([forged])).rejects.toThrow(/safe integer/);
      expect(await load(h.store(), token(1))).toMatchObject({ balanceFen: 1_000, version: 1 });
    });
  });
}
