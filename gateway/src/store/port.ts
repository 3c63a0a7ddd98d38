// The store port: everything the gateway keeps, behind a few methods. Two adapters implement
// it (sqlite.ts: one file, the embedded default; redis.ts: Lua scripts, for scale), and one
// contract suite (test/gateway/store/contract.ts) runs against both.
import type { CardState, CardStatus } from '../../../core/card.js';
import type { Effect, EffectResult, LedgerRecord } from '../../../core/ledger.js';
import type { DenyReasonName } from '../../../protos/codec.js';
import type { StatSummary } from '../stats/rides.js';
import type { AuthStore } from './auth-port.js';
import type { PaymentStore } from './payment-port.js';
import type { VenueStore } from './venue-port.js';

/** A card as issued: the store never sees the card number or the ID number, only the token. */
export interface NewCard {
  token: string;
  masked: string;
  region: string;
  flags: number;
  balanceFen: number;
}

export type CommitOutcome =
  /** Applied now: the card changed (if the effect touches it), the record and outbox entry exist. */
  | { status: 'applied'; result: EffectResult }
  /** Applied earlier with the same dedupe key: nothing changed now; the original result. */
  | { status: 'duplicate'; result: EffectResult }
  /** The card's version is not the expected one: nothing changed; re-plan from fresh state. */
  | { status: 'conflict' };

export interface DenyEntry {
  token: string;
  reason: DenyReasonName;
}

export interface DenyChange {
  /** Version after this change; versions start at 1 and grow by exactly 1. */
  version: number;
  token: string;
  add: boolean;
  reason: DenyReasonName;
  at: number;
}

/**
 * The keyed lists besides deny (docs/decisions/0050-signed-compact-lists.md): per (kind, scope)
 * a map key → value with a version that grows by 1 per changeList call, and a log of the
 * changes. flags: card token → flags (decimal); regions: region code → '1'; entitlements
 * (scope: venue id): `<token>:<entitlement id>` → the entitlement as JSON.
 */
export type ValueListKind = 'flags' | 'regions' | 'entitlements';

/** One change: value '' takes the key off the list. */
export interface ListChange {
  key: string;
  value: string;
}

/** One version's changes as the log keeps them. */
export interface ListVersionChanges {
  version: number;
  at: number;
  changes: ListChange[];
}

export interface RecordQuery {
  cardToken?: string;
  /** The masked number as records carry it (core/pii.ts maskCardNumber): every card shown so. */
  cardMasked?: string;
  deviceId?: string;
  routeId?: string;
  /** Metro station or venue-less gate's station (record.stationId). */
  stationId?: string;
  /** Bus stop (record.stopId). */
  stopId?: string;
  operatorId?: string;
  /** Inclusive lower bound on record.at (Unix ms). */
  from?: number;
  /** Exclusive upper bound on record.at (Unix ms). */
  to?: number;
  /** Only records of these kinds (a card holder's rides, visits or top-ups); absent: every kind. */
  kinds?: readonly LedgerRecord['kind'][];
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface RecordPage {
  /** Newest first (by record.at, then id). */
  items: LedgerRecord[];
  /** Present when there may be more. */
  nextCursor?: string;
}

export interface OutboxEntry {
  /** Opaque, increasing within a partition. */
  id: string;
  record: LedgerRecord;
}

/** A card with an open entry, as the sweep's index keeps it (docs/decisions/0113). */
export interface OpenEntry {
  cardToken: string;
  /** The entry's device time, Unix ms. */
  at: number;
}

export interface OpenEntryQuery {
  /** Partition, as for the outbox: 0 .. outboxPartitions() - 1. */
  partition: number;
  /** Entries made at or before this time (Unix ms). */
  before: number;
  /**
   * Keyset cursor: only entries after this one (by time, then token), so entries removed
   * meanwhile (charged by another instance, closed by a tap) never make a page skip others.
   */
  after?: OpenEntry;
  limit: number;
}

export interface DeadLetter {
  topic: string;
  reason: string;
  payload: Buffer;
  at: number;
}

/** How much of the dead letters a store keeps (docs/decisions/0160; store/dead-letters.ts). */
export interface DeadLetterBounds {
  /** Letters kept at most; the oldest go first. */
  maxCount: number;
  /** Bytes kept at most, counting each letter's kept payload, topic and reason. */
  maxBytes: number;
  /** Payload bytes kept per letter; the rest is cut. */
  maxPayloadBytes: number;
}

/** A dead letter as kept: the payload possibly cut, with the whole payload's size and hash. */
export interface KeptDeadLetter extends DeadLetter {
  /** Size of the payload as received. */
  payloadBytes: number;
  /** SHA-256 of the payload as received, lowercase hex. */
  payloadSha256: string;
}

/** A tap's seq in its batch and the digest of its content (gateway/src/ingest/digest.ts). */
export interface TapClaim {
  seq: number;
  digest: string;
}

/**
 * A reconciliation finding (gateway/src/reconcile/): a tap the device decided, offline or on
 * stale lists, that would have been refused online. Its record is kept and marked; the finding
 * is what the operator report lists. One per record: putting it again changes nothing.
 */
export interface Finding {
  /**
   * The record id (core/ledger.ts tapRecordId); for seq_conflict the id the tap would have had,
   * then '#' and its content digest (one finding per conflicting content, none of them a record).
   */
  id: string;
  kind:
    | 'negative_balance'
    | 'lost_after_the_fact'
    | 'entitlement_reused'
    | 'location_not_allowed'
    | 'location_not_priced'
    | 'seq_conflict';
  /** The record's reason (docs/reason-codes.md). */
  reason: string;
  /**
   * What the gateway did: put the card on the deny list, marked the record only, or (seq_conflict)
   * kept the tap out of the ledger: nothing charged, nothing recorded (docs/decisions/0175).
   */
  action: 'deny_listed' | 'marked' | 'quarantined';
  /** Tap time (device clock), Unix ms. */
  at: number;
  /** When the gateway found it, Unix ms. */
  foundAt: number;
  cardToken: string;
  cardMasked: string;
  operatorId: string;
  deviceId: string;
  seq: number;
  routeId: string;
  stationId: string;
  venueId: string;
  entitlementId: string;
  offline: boolean;
  chargedFen: number;
  balanceAfterFen: number;
}

export interface Device {
  deviceId: string;
  operatorId: string;
  profile: string;
  routeId: string;
  stationId: string;
  venueId: string;
  /**
   * More routes a bus validator may report besides routeId (docs/decisions/0161); absent: the
   * registered route only.
   */
  routes?: string[];
  /**
   * The device's Ed25519 public key, 64 hex chars: every TapBatch it sends is signed with the
   * private key, which the gateway never stores (docs/decisions/0173). Absent on a device
   * registered before batches were signed: its batches are refused until it is re-registered.
   */
  publicKey?: string;
}

/** One state-changing operator or holder action (docs/decisions/0131). Never a card number. */
export interface AuditEntry {
  at: number;
  /** Username, 'holder' or 'unknown'. */
  actor: string;
  role: string;
  tenant: string;
  /** e.g. card.topup, card.lost, device.register, auth.login */
  action: string;
  /** A card token, a device id, a username; '' when none. */
  target: string;
  /** HTTP status of the answer: 2xx done, 4xx refused. */
  status: number;
  /** Why, from a closed list (a counter top-up's reason); absent for most actions. */
  reason?: string;
}

export interface AuditPage {
  /** Newest first; id is opaque and increasing. */
  items: Array<AuditEntry & { id: string }>;
  nextCursor?: string;
}

export interface Store {
  /** Venue bookings, capacity counters, no-shows and occupancy (venue-port.ts). */
  readonly venues: VenueStore;
  /** Paid top-up orders and daily sums (payment-port.ts). */
  readonly payments: PaymentStore;
  /** Failed-login counters, revoked sessions, session and holder-token epochs (auth-port.ts). */
  readonly auth: AuthStore;
  /** Registers a card (idempotent by token: an existing card is left as it is). */
  issueCard(card: NewCard): Promise<void>;
  /** Current states; a token never issued comes back as core/card.ts unknownCard(token). */
  loadCards(tokens: readonly string[]): Promise<Map<string, CardState>>;
  /**
   * Commits effects atomically per card: for each effect, in order, either the dedupe key was
   * seen (duplicate), or the card version differs from expectVersion (conflict), or the card's
   * new balance, the record, the dedupe key and an outbox entry are written together. One
   * outcome per effect, in the same order.
   * An effect that expects a version conflicts as well when an earlier effect on the same card
   * in this call that expected a version was not applied (duplicate or conflict): core/ledger.ts
   * chain() planned it from the state after that effect, which does not exist, even when the
   * versions happen to line up (another change moved the card by as many versions).
   */
  commit(effects: readonly Effect[]): Promise<CommitOutcome[]>;
  /**
   * The result an effect with this dedupe key committed with, or undefined when none did (a
   * card's effects are deduplicated where the card lives, so its token is needed).
   */
  committedResult(cardToken: string, dedupeKey: string): Promise<EffectResult | undefined>;
  /**
   * Claims taps' exactly-once keys (deviceId, epoch, seq) for their content (docs/decisions/0175),
   * atomically: a key no tap holds is taken with the claim's digest; a key held with the same
   * digest stays (a resend); a key held with another digest is not taken. One answer per claim,
   * in order: true when this content may be committed under the key, false when another tap's
   * content holds it (quarantine it; never commit it). The claims of a device and epoch live
   * together, away from the cards' partitions: the same key with another card is caught even
   * where the two cards' dedupe keys would live apart. Claims are kept like dedupe keys.
   */
  claimTaps(deviceId: string, epoch: string, claims: readonly TapClaim[]): Promise<boolean[]>;
  /** Sets a card's status (lost/frozen/active). Returns false for an unknown card. */
  setCardStatus(token: string, status: CardStatus): Promise<boolean>;

  /** Adds or removes a deny-list entry; returns the change with its new version (no-op → null). */
  changeDenyList(
    token: string,
    add: boolean,
    reason: DenyReasonName,
    now: number,
  ): Promise<DenyChange | null>;
  denyListVersion(): Promise<number>;
  /** Changes with version > since, oldest first, at most limit. */
  denyChangesSince(since: number, limit: number): Promise<DenyChange[]>;
  /** The whole list at its current version. */
  denySnapshot(): Promise<{ version: number; entries: DenyEntry[] }>;
  /**
   * One page of the deny list (cursor '' to start; next undefined at the end), for snapshots of
   * any size; entries changed while paging may come back in either state (see listEntriesPage).
   */
  denyEntriesPage(cursor: string, limit: number): Promise<{ entries: DenyEntry[]; next: string | undefined }>;

  /**
   * Applies changes to a list atomically under the next version; changes that change nothing
   * (a value already set, a removal of an absent key) are dropped. Null when nothing changed.
   */
  changeList(
    kind: ValueListKind,
    scope: string,
    changes: readonly ListChange[],
    now: number,
  ): Promise<ListVersionChanges | null>;
  listVersion(kind: ValueListKind, scope: string): Promise<number>;
  /** Entries in the list now (a size hint for devices building a snapshot's table). */
  listSize(kind: ValueListKind, scope: string): Promise<number>;
  /** The logged versions after since, oldest first, at most limit versions. */
  listChangesSince(
    kind: ValueListKind,
    scope: string,
    since: number,
    limit: number,
  ): Promise<ListVersionChanges[]>;
  /**
   * One page of a list's entries (cursor '' to start; next undefined at the end). Entries changed
   * while paging may come back in either state: callers replay the log (gateway/src/lists/).
   */
  listEntriesPage(
    kind: ValueListKind,
    scope: string,
    cursor: string,
    limit: number,
  ): Promise<{ entries: ListChange[]; next: string | undefined }>;

  queryRecords(q: RecordQuery): Promise<RecordPage>;
  /**
   * Ride counters for hours in [from, to), summed per hour, per line and per concession group
   * (stats/rides.ts summarize), from buckets commit() keeps in the same atomic step as the
   * records (statOf). operatorId undefined: every operator.
   */
  queryStats(q: { operatorId?: string; from: number; to: number }): Promise<StatSummary>;

  /**
   * The sweep's index of open entries (docs/decisions/0113): every known card whose fare state
   * holds an open entry, by the entry's time, so the sweep reads the old ones without reading
   * every card. commit() keeps it in the same atomic step as the card's fare state (an applied
   * effect that expects a version sets or clears the card's entry). Oldest first, then by token
   * (token order: byte order of the lowercase hex, the same in both stores).
   */
  openEntries(q: OpenEntryQuery): Promise<OpenEntry[]>;

  /** Outbox partitions: 1 for SQLite, the hash-slot partitions for Redis. */
  outboxPartitions(): number;
  readOutbox(partition: number, limit: number): Promise<OutboxEntry[]>;
  /** Removes entries up to and including id, once they are safely published. */
  ackOutbox(partition: number, uptoId: string): Promise<void>;
  /**
   * Lease so that one relay at a time publishes a partition (several gateway instances run).
   * True when owner holds it for ttlMs from now.
   */
  leaseOutbox(partition: number, owner: string, ttlMs: number): Promise<boolean>;

  /**
   * Keeps a letter within the bounds, in one atomic step: the payload cut to maxPayloadBytes,
   * then the oldest letters dropped until both maxCount and maxBytes hold. Answers how many
   * older letters were dropped (a letter bigger than maxBytes on its own drops itself too).
   */
  putDeadLetter(letter: DeadLetter, bounds: DeadLetterBounds): Promise<{ dropped: number }>;
  /** The newest first, at most limit. */
  deadLetters(limit: number): Promise<KeptDeadLetter[]>;

  /** Keeps findings; one per id, the first kept (idempotent under redelivery). */
  putFindings(findings: readonly Finding[]): Promise<void>;
  /** Newest found first (foundAt, then id, descending), found at or after `since`, at most limit. */
  findings(q: { limit: number; since?: number }): Promise<Finding[]>;

  upsertDevice(device: Device): Promise<void>;
  getDevice(deviceId: string): Promise<Device | undefined>;
  listDevices(): Promise<Device[]>;

  /** Appends to the audit log (kept for good: nothing here trims it). */
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; cursor from a previous page. */
  queryAudit(q: { limit: number; cursor?: string }): Promise<AuditPage>;

  ping(): Promise<void>;
  close(): Promise<void>;
}
