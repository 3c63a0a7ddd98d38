// The ledger: cards and their balances, the atomic commit of effects (record, dedupe key,
// outbox entry and stats together) and the sweep's index of open entries. The hot path of
// every tap; both adapters (sqlite.ts, redis.ts + redis-commit.ts) and the ledger suite of
// test/gateway/store/contract.ts.
import type { CardState, CardStatus } from '../../../../core/card.js';
import type { Effect, EffectResult } from '../../../../core/ledger.js';

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

/** A tap's seq in its batch and the digest of its content (gateway/src/ingest/digest.ts). */
export interface TapClaim {
  seq: number;
  digest: string;
  /** The tap's own time (device clock), Unix ms: its claim is kept in the bucket of its day (0196). */
  at: number;
}

export interface LedgerStore {
  /** Registers a card (idempotent by token: an existing card is left as it is). */
  issueCard(card: NewCard): Promise<void>;
  /**
   * Current states, one entry a token; a token never issued comes back as core/card.ts
   * unknownCard(token). A token may come more than once (a batch's taps of one card, 0245).
   */
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
   * card's effects are deduplicated where the card lives, so its token is needed). A tap's key
   * is kept in the bucket of its day (docs/decisions/0196): `at`, the record's time, finds it.
   */
  committedResult(cardToken: string, dedupeKey: string, at?: number): Promise<EffectResult | undefined>;
  /**
   * Claims taps' exactly-once keys (deviceId, epoch, seq) for their content (docs/decisions/0175),
   * atomically: a key no tap holds is taken with the claim's digest; a key held with the same
   * digest stays (a resend); a key held with another digest is not taken. One answer per claim,
   * in order: true when this content may be committed under the key, false when another tap's
   * content holds it (quarantine it; never commit it). The claims of a device and epoch live
   * together, away from the cards' partitions: the same key with another card is caught even
   * where the two cards' dedupe keys would live apart. Claims are kept like tap dedupe keys,
   * for the dedupe window (docs/decisions/0196), and each raises the device's high-water mark
   * for the epoch. A seq whose claim the window let go is never taken again (false): content
   * under it now is not its tap's (docs/decisions/0220). `now`: the gateway's clock.
   */
  claimTaps(deviceId: string, epoch: string, claims: readonly TapClaim[], now: number): Promise<boolean[]>;
  /**
   * For taps older than the dedupe window (docs/decisions/0196), whose keys may be gone: per seq,
   * whether it is at or below the highest seq the device ever claimed under the epoch (it came
   * before: never charge it again). Reads only.
   */
  seenBeforeWindow(deviceId: string, epoch: string, seqs: readonly number[]): Promise<boolean[]>;
  /**
   * Drops the tap dedupe keys and claims of days before the window at `now` (core/dedupe-window.ts
   * firstKeptDay). Redis lets its day buckets expire on their own and answers 0; SQLite deletes
   * rows. The number of keys and claims dropped.
   */
  pruneDedupe(now: number): Promise<number>;
  /** Sets a card's status (lost/frozen/active). Returns false for an unknown card. */
  setCardStatus(token: string, status: CardStatus): Promise<boolean>;

  /**
   * The sweep's index of open entries (docs/decisions/0113): every known card whose fare state
   * holds an open entry, by the entry's time, so the sweep reads the old ones without reading
   * every card. commit() keeps it in the same atomic step as the card's fare state (an applied
   * effect that expects a version sets or clears the card's entry). Oldest first, then by token
   * (token order: byte order of the lowercase hex, the same in both stores).
   */
  openEntries(q: OpenEntryQuery): Promise<OpenEntry[]>;
}
