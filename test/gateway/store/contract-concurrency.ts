// Two instances (two connections, as two gateway instances have) racing over the same cards
// with the ingest's loop: load → plan → commit → re-plan what conflicted. No update may be
// lost or applied twice, and redelivered taps answer with their original results.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import type { EffectResult, LedgerRecord, TapInput } from '../../../core/ledger.js';
import type { CommitOutcome } from '../../../gateway/src/store/port.js';
import { issue, load, planRun, T0, tap, token } from './fixtures.js';
import { type CommitStores, outboxRecordIds, type StoreHarness } from './harness.js';

const INITIAL = 100_000;
/** Cards 0 and 1 pay the bus fare (200), card 2 is a student's (100). */
const FARES = [200, 200, 100];
const TAPS_PER_INSTANCE = 200;
const BATCH = 5;

interface Seen {
  applied: Map<string, EffectResult[]>;
  duplicates: { id: string; result: EffectResult }[];
  conflicts: number;
}

/** The ingest's commit loop for one batch of taps. */
async function commitBatch(store: CommitStores, taps: readonly TapInput[], seen: Seen): Promise<void> {
  let pending = [...taps];
  for (let round = 0; pending.length > 0; round++) {
    if (round === 1_000) throw new Error('still conflicting after 1000 rounds');
    const cards = await store.loadCards([...new Set(pending.map((t) => t.cardToken))]);
    const effects = planRun(cards, pending, T0 + round);
    const outcomes: CommitOutcome[] = await store.commit(effects);
    const retry: TapInput[] = [];
    outcomes.forEach((o, i) => {
      const id = effects[i]!.record.id;
      if (o.status === 'conflict') retry.push(pending[i]!);
      else if (o.status === 'applied') seen.applied.set(id, [...(seen.applied.get(id) ?? []), o.result]);
      else seen.duplicates.push({ id, result: o.result });
    });
    seen.conflicts += retry.length;
    pending = retry;
  }
}

function batchesOf(deviceId: string): TapInput[][] {
  const taps = Array.from({ length: TAPS_PER_INSTANCE }, (_, i) =>
    tap({ cardToken: token(i % 3), deviceId, seq: i + 1, deviceTimeMs: T0 + i * 10 }),
  );
  return Array.from({ length: TAPS_PER_INSTANCE / BATCH }, (_, i) => taps.slice(i * BATCH, (i + 1) * BATCH));
}

/** One instance's traffic: its device's batches, every fourth one delivered twice, then a few of the other's. */
async function instance(
  store: CommitStores,
  own: TapInput[][],
  others: TapInput[][],
  seen: Seen,
): Promise<void> {
  for (const [i, batch] of own.entries()) {
    await commitBatch(store, batch, seen);
    if (i % 4 === 3) await commitBatch(store, own[i - 1]!, seen);
  }
  for (const batch of others.slice(0, 3)) await commitBatch(store, batch, seen);
}

async function recordsOfCard(store: CommitStores, cardToken: string): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.queryRecords({ cardToken, limit: 50, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export function concurrencyContract(h: StoreHarness<CommitStores>): void {
  describe('two instances at once', () => {
    it('charges every unique tap exactly once, whatever the interleaving and redeliveries', async () => {
      const a = h.store();
      const b = await h.open();
      for (const n of [0, 1, 2]) await issue(a, n, INITIAL, n === 2 ? ConcessionFlag.STUDENT : 0);
      const fromA = batchesOf('bus-a');
      const fromB = batchesOf('bus-b');
      const seen: Seen = { applied: new Map(), duplicates: [], conflicts: 0 };

      await Promise.all([instance(a, fromA, fromB, seen), instance(b, fromB, fromA, seen)]);

      const unique = [...fromA, ...fromB].flat();
      expect(seen.applied.size).toBe(unique.length);
      expect([...seen.applied.values()].every((results) => results.length === 1)).toBe(true);
      for (const d of seen.duplicates) expect(d.result).toEqual(seen.applied.get(d.id)![0]);
      // Each instance redelivers 10 of its own batches and 3 of the other's: every such tap is
      // answered as a duplicate exactly once, whichever instance applied it.
      expect(seen.duplicates).toHaveLength(2 * (10 + 3) * BATCH);
      // The race really happened: some plans were made from versions another instance had moved on.
      expect(seen.conflicts).toBeGreaterThan(0);

      for (const n of [0, 1, 2]) {
        const rides = unique.filter((t) => t.cardToken === token(n)).length;
        const card = await load(b, token(n));
        expect(card.balanceFen).toBe(INITIAL - rides * FARES[n]!);
        expect(card.version).toBe(1 + rides);
        const records = await recordsOfCard(a, token(n));
        expect(new Set(records.map((r) => r.id)).size).toBe(rides);
        expect(records).toHaveLength(rides);
        // No lost or doubled update: every balance from INITIAL - fare down to the final one, once each.
        expect(records.map((r) => r.balanceAfterFen).sort((x, y) => y - x)).toEqual(
          Array.from({ length: rides }, (_, k) => INITIAL - (k + 1) * FARES[n]!),
        );
      }
      const outbox = await outboxRecordIds(a);
      expect(outbox).toHaveLength(unique.length);
      expect(new Set(outbox).size).toBe(unique.length);
    });
  });
}
