// The store contract: what every Store adapter (gateway/src/store/port.ts) must do, as one
// suite that sqlite.int.test.ts and redis.int.test.ts run against their adapter.
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../../gateway/src/store/port.js';
import { amountsContract } from './contract-amounts.js';
import { auditContract } from './contract-audit.js';
import { authContract } from './contract-auth.js';
import { commitContract } from './contract-commit.js';
import { concurrencyContract } from './contract-concurrency.js';
import { deadLettersContract } from './contract-dead-letters.js';
import { epochsContract } from './contract-epochs.js';
import { fareStateContract } from './contract-fare.js';
import { findingsContract } from './contract-findings.js';
import { listsContract } from './contract-lists.js';
import { openEntriesContract } from './contract-open-entries.js';
import { outboxContract } from './contract-outbox.js';
import { paymentsContract } from './contract-payments.js';
import { recordsContract } from './contract-records.js';
import { statsContract } from './contract-stats.js';
import { subsidyContract } from './contract-subsidy.js';
import { valueListsContract } from './contract-value-lists.js';
import { venuesContract } from './contract-venues.js';
import type { StoreHarness } from './harness.js';

/**
 * open(): a new connection to the current test's data. Every call within one test must reach
 * the same data, and every test must start from empty data (the caller's beforeEach sees to
 * it, e.g. a new file or key prefix). The suite closes every store it opened.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    let first: Store | undefined;
    const harness: StoreHarness = {
      store: () => first!,
      open: async () => {
        const store = await open();
        opened.push(store);
        return store;
      },
    };
    beforeEach(async () => {
      first = await harness.open();
    });
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    commitContract(harness);
    epochsContract(harness);
    amountsContract(harness);
    recordsContract(harness);
    listsContract(harness);
    valueListsContract(harness);
    outboxContract(harness);
    concurrencyContract(harness);
    findingsContract(harness);
    deadLettersContract(harness);
    fareStateContract(harness);
    openEntriesContract(harness);
    auditContract(harness);
    authContract(harness);
    statsContract(harness);
    subsidyContract(harness);
    venuesContract(harness);
    paymentsContract(harness);
  });
}
