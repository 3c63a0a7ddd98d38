// The store port: everything the gateway keeps, split by capability (docs/decisions/0183), one
// file each under ports/. A caller that needs one capability takes that port (the relay an
// OutboxStore, the list service a ListStore); `Store` is all of them, for the wiring and the
// callers that really use everything. Two adapters implement all of it (sqlite.ts: one file,
// the embedded default; redis.ts: Lua scripts, for scale), and the contract suite
// (test/gateway/store/contract.ts) runs one suite per capability against both, so a new backend
// can land capability by capability.
import type { AuditStore } from './ports/audit.js';
import type { AuthStore } from './ports/auth.js';
import type { StoreConnection } from './ports/connection.js';
import type { CredentialStore } from './ports/credentials.js';
import type { DeadLetterStore } from './ports/dead-letters.js';
import type { DeviceStore } from './ports/devices.js';
import type { FindingStore } from './ports/findings.js';
import type { HistoryStore } from './ports/history.js';
import type { LedgerStore } from './ports/ledger.js';
import type { ListStore } from './ports/lists.js';
import type { OutboxStore } from './ports/outbox.js';
import type { PaymentStore } from './ports/payments.js';
import type { VenueStore } from './ports/venues.js';

export type { AuditEntry, AuditPage, AuditStore } from './ports/audit.js';
export type { AuthStore } from './ports/auth.js';
export type { StoreConnection } from './ports/connection.js';
export type { CredentialStore, DeviceSecretEntry } from './ports/credentials.js';
export type { DeadLetter, DeadLetterBounds, DeadLetterStore, KeptDeadLetter } from './ports/dead-letters.js';
export type { Device, DeviceStore } from './ports/devices.js';
export type { Finding, FindingStore } from './ports/findings.js';
export type { HistoryStore, RecordPage, RecordQuery } from './ports/history.js';
export type {
  CommitOutcome,
  LedgerStore,
  NewCard,
  OpenEntry,
  OpenEntryQuery,
  TapClaim,
} from './ports/ledger.js';
export type { ListChange, ListKind, ListStore, ListVersionChanges } from './ports/lists.js';
export type { OutboxEntry, OutboxStore } from './ports/outbox.js';
export type { PaymentStore } from './ports/payments.js';
export type { VenueStore } from './ports/venues.js';

/** The store's own state machines, each with its own port, reached as properties. */
export interface StoreParts {
  /** Venue bookings, capacity counters, no-shows and occupancy (ports/venues.ts). */
  readonly venues: VenueStore;
  /** Paid top-up orders and daily sums (ports/payments.ts). */
  readonly payments: PaymentStore;
  /** Failed-login counters, revoked sessions, session and holder-token epochs (ports/auth.ts). */
  readonly auth: AuthStore;
  /** Device secret hashes, retirements and the registry version (ports/credentials.ts, 0170). */
  readonly credentials: CredentialStore;
}

/** Every capability: what an adapter implements and what the wiring hands out. */
export interface Store
  extends LedgerStore,
    ListStore,
    HistoryStore,
    OutboxStore,
    DeadLetterStore,
    FindingStore,
    DeviceStore,
    AuditStore,
    StoreParts,
    StoreConnection {}
