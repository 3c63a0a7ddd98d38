// The outbox the Kafka relay drains: oldest first per partition, acked up to an id, leased.
import { describe, expect, it } from 'vitest';
import type { CardState } from '../../../core/card.js';
import type { LedgerStore, OutboxEntry, OutboxStore } from '../../../gateway/src/store/port.js';
import { decodeRecordBatch } from '../../../protos/record-codec.js';
import { outboxRecords } from '../../support/outbox.js';
import { issue, load, planRun, tap, token } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The partition that holds the record, found by reading every partition. */
async function partitionOf(h: StoreHarness<LedgerStore & OutboxStore>, recordId: string): Promise<number> {
  for (let p = 0; p < h.store().outboxPartitions(); p++)
    if (outboxRecords(await h.store().readOutbox(p, 1_000)).some((r) => r.id === recordId)) return p;
  throw new Error(`${recordId} is in no outbox partition`);
}

export function outboxContract(h: StoreHarness<LedgerStore & OutboxStore>): void {
  describe('outbox', () => {
    async function ride(seq: number) {
      const card = await load(h.store(), token(1));
      const [effect] = planRun(new Map([[token(1), card]]), [tap({ cardToken: token(1), seq })]);
      await h.store().commit([effect!]);
      return effect!.record;
    }

    it('holds each committed record once, oldest first, until acked up to and including an id', async () => {
      await issue(h.store(), 1);
      const records = [await ride(1), await ride(2), await ride(3)];
      const p = await partitionOf(h, records[0]!.id);
      const entries = await h.store().readOutbox(p, 10);
      expect(outboxRecords(entries)).toEqual(records);
      expect(outboxRecords(await h.store().readOutbox(p, 2)).map((r) => r.id)).toEqual([
        'tap:bus-1:1',
        'tap:bus-1:2',
      ]);

      await h.store().ackOutbox(p, entries[1]!.id);
      // Committed after the read: an ack of older ids must leave it.
      const late = await ride(4);
      expect(outboxRecords(await h.store().readOutbox(p, 10))).toEqual([records[2], late]);
    });

    // One entry per commit and partition is what both stores write once commitEffects writes
    // batches (0209); entries here are only held to carry each record once, in commit order.
    it("carries a commit's records in commit order, each entry counted and timed, and no entry for duplicates", async () => {
      const cards = new Map<string, CardState>();
      for (const n of [1, 2, 3, 4]) cards.set(token(n), await issue(h.store(), n));
      // Two taps of each card in one commit: a chain, which must keep its order.
      const taps = [1, 2, 3, 4].flatMap((n) => [
        tap({ cardToken: token(n), seq: 10 * n }),
        tap({ cardToken: token(n), seq: 10 * n + 1 }),
      ]);
      const effects = planRun(cards, taps);
      const before = Date.now();
      await h.store().commit(effects);
      const after = Date.now();

      const pages: OutboxEntry[][] = [];
      for (let p = 0; p < h.store().outboxPartitions(); p++) {
        const page = await h.store().readOutbox(p, 100);
        if (page.length > 0) pages.push(page);
      }
      for (const entry of pages.flat()) {
        expect(entry.count).toBe(decodeRecordBatch(entry.batch).length);
        expect(entry.committedAt).toBeGreaterThanOrEqual(before);
        expect(entry.committedAt).toBeLessThanOrEqual(after);
      }
      const held = outboxRecords(pages.flat());
      expect(held.map((r) => r.id).sort()).toEqual(effects.map((e) => e.record.id).sort());
      for (const n of [1, 2, 3, 4])
        expect(held.filter((r) => r.cardToken === token(n)).map((r) => r.seq)).toEqual([10 * n, 10 * n + 1]);

      // The same effects again are duplicates: nothing applied, no entry.
      await h.store().commit(effects);
      let entries = 0;
      for (let p = 0; p < h.store().outboxPartitions(); p++)
        entries += (await h.store().readOutbox(p, 100)).length;
      expect(entries).toBe(pages.flat().length);
    });

    it('reads nothing from an empty partition and refuses a partition it does not have', async () => {
      for (let p = 0; p < h.store().outboxPartitions(); p++)
        expect(await h.store().readOutbox(p, 10)).toEqual([]);
      await expect(h.store().readOutbox(h.store().outboxPartitions(), 10)).rejects.toThrow(RangeError);
    });

    it('leases a partition to one owner at a time, renews it for its holder, frees it on expiry', async () => {
      const other = await h.open();
      expect(await h.store().leaseOutbox(0, 'relay-a', 60_000)).toBe(true);
      expect(await other.leaseOutbox(0, 'relay-b', 60_000)).toBe(false);
      expect(await h.store().leaseOutbox(0, 'relay-a', 30)).toBe(true);
      await sleep(80);
      expect(await other.leaseOutbox(0, 'relay-b', 60_000)).toBe(true);
      expect(await h.store().leaseOutbox(0, 'relay-a', 60_000)).toBe(false);
    });
  });
}
