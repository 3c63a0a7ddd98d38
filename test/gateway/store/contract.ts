// The store contract: what every adapter of a store capability (gateway/src/store/ports/) must
// do, one suite per capability (docs/decisions/0183). A backend that implements a few
// capabilities runs those suites; storeContract runs them all, as sqlite.int.test.ts and
// redis.int.test.ts do against their adapter. A suite's store type is the capability plus what
// its tests need to set up data (records come from LedgerStore.commit).
import { afterEach, beforeEach, describe } from 'vitest';
import type {
  AuditStore,
  DeadLetterStore,
  DeviceStore,
  FindingStore,
  HistoryStore,
  LedgerStore,
  ListStore,
  OutboxStore,
  Store,
  StoreConnection,
  StoreParts,
} from '../../../gateway/src/store/port.js';
import { amountsContract } from './contract-amounts.js';
import { auditContract } from './contract-audit.js';
import { authContract } from './contract-auth.js';
import { commitContract } from './contract-commit.js';
import { concurrencyContract } from './contract-concurrency.js';
import { credentialsContract } from './contract-credentials.js';
import { deadLettersContract } from './contract-dead-letters.js';
import { devicesContract } from './contract-devices.js';
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
import { usesContract } from './contract-uses.js';
import { valueListsContract } from './contract-value-lists.js';
import { venuesContract } from './contract-venues.js';
import { windowContract } from './contract-window.js';
import type { CommitStores, StoreHarness } from './harness.js';

/**
 * open(): a new connection to the current test's data. Every call within one test must reach
 * the same data, and every test must start from empty data (the caller's beforeEach sees to
 * it, e.g. a new file or key prefix). The suite closes every store it opened.
 */
export type Open<S> = () => Promise<S & StoreConnection>;

function suite<S>(
  capability: string,
  name: string,
  open: Open<S>,
  parts: ReadonlyArray<(h: StoreHarness<S>) => void>,
): void {
  describe(`Store contract, ${capability}: ${name}`, () => {
    const opened: StoreConnection[] = [];
    let first: S | undefined;
    const harness: StoreHarness<S> = {
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
    for (const part of parts) part(harness);
  });
}

/** Cards (with their entitlement uses), the atomic commit, the open-entry index (ports/ledger.ts). */
export const ledgerSuite = (name: string, open: Open<CommitStores>): void =>
  suite('ledger', name, open, [
    commitContract,
    epochsContract,
    windowContract,
    amountsContract,
    concurrencyContract,
    fareStateContract,
    usesContract,
    openEntriesContract,
  ]);

/** Records and ride counters (ports/history.ts). */
export const historySuite = (name: string, open: Open<LedgerStore & HistoryStore & DeviceStore>): void =>
  suite('history', name, open, [recordsContract, statsContract, subsidyContract]);

export const outboxSuite = (name: string, open: Open<LedgerStore & OutboxStore>): void =>
  suite('outbox', name, open, [outboxContract]);

/** The deny list and the value lists (ports/lists.ts). */
export const listsSuite = (name: string, open: Open<ListStore>): void =>
  suite('lists', name, open, [listsContract, valueListsContract]);

export const devicesSuite = (name: string, open: Open<DeviceStore>): void =>
  suite('devices', name, open, [devicesContract]);

export const findingsSuite = (name: string, open: Open<FindingStore>): void =>
  suite('findings', name, open, [findingsContract]);

export const deadLettersSuite = (name: string, open: Open<DeadLetterStore>): void =>
  suite('dead letters', name, open, [deadLettersContract]);

export const auditSuite = (name: string, open: Open<AuditStore>): void =>
  suite('audit', name, open, [auditContract]);

export const authSuite = (name: string, open: Open<Pick<StoreParts, 'auth'>>): void =>
  suite('auth', name, open, [authContract]);

/** Device secret hashes and retirement (ports/credentials.ts, decision 0170). */
export const credentialsSuite = (
  name: string,
  open: Open<DeviceStore & Pick<StoreParts, 'credentials'>>,
): void => suite('credentials', name, open, [credentialsContract]);

export const paymentsSuite = (name: string, open: Open<Pick<StoreParts, 'payments'>>): void =>
  suite('payments', name, open, [paymentsContract]);

/** Bookings and occupancy; money for a booking moves through the ledger (ports/venues.ts). */
export const venuesSuite = (name: string, open: Open<LedgerStore & Pick<StoreParts, 'venues'>>): void =>
  suite('venues', name, open, [venuesContract]);

/** Every capability's suite against an adapter of the whole Store. */
export function storeContract(name: string, open: () => Promise<Store>): void {
  for (const run of [
    ledgerSuite,
    historySuite,
    outboxSuite,
    listsSuite,
    devicesSuite,
    findingsSuite,
    deadLettersSuite,
    auditSuite,
    authSuite,
    credentialsSuite,
    paymentsSuite,
    venuesSuite,
  ])
    run(name, open);
}
