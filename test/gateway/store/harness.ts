// What the contract's parts share: the stores of the running test and a look into the outbox.
// A part names the capabilities it uses (gateway/src/store/ports/), so a suite can run it
// against a backend that has those and no others.
import type { HistoryStore, LedgerStore, OutboxStore, Store } from '../../../gateway/src/store/port.js';
import { outboxRecords } from '../../support/outbox.js';

export interface StoreHarness<S = Store> {
  /** The store this test started with. */
  store(): S;
  /** Another connection to the same data, as a second gateway instance would have. */
  open(): Promise<S>;
}

/** What commit() writes in one step: the card, the record and its counters, the outbox entry. */
export type CommitStores = LedgerStore & HistoryStore & OutboxStore;

/** Every outbox entry's record id, partition by partition, oldest first within each. */
export async function outboxRecordIds(store: OutboxStore): Promise<string[]> {
  const out: string[] = [];
  for (let p = 0; p < store.outboxPartitions(); p++)
    for (const r of outboxRecords(await store.readOutbox(p, 100_000))) out.push(r.id);
  return out;
}
