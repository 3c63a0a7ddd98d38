// What the contract's parts share: the stores of the running test and a look into the outbox.
import type { Store } from '../../../gateway/src/store/port.js';

export interface StoreHarness {
  /** The store this test started with. */
  store(): Store;
  /** Another connection to the same data, as a second gateway instance would have. */
  open(): Promise<Store>;
}

/** Every outbox entry's record id, partition by partition, oldest first within each. */
export async function outboxRecordIds(store: Store): Promise<string[]> {
  const out: string[] = [];
  for (let p = 0; p < store.outboxPartitions(); p++)
    for (const e of await store.readOutbox(p, 100_000)) out.push(e.record.id);
  return out;
}
