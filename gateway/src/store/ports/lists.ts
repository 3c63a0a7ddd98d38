// The versioned lists the gateway signs for the devices (docs/decisions/0050, 0184): the deny
// list and the other keyed lists are one mechanism, each a map with a version that grows by 1
// per change and a log of the changes, so devices take deltas and a snapshot can be built page
// by page.
import type { ListKind } from '../../../../protos/codec.js';

/**
 * The versioned lists (docs/decisions/0050, 0184), one mechanism for every kind: per (kind,
 * scope) a map key → value with a version that grows by 1 per changeList call, and a log of
 * the changes. deny: card token → deny reason name (protos/codec.ts DenyReasonName); flags:
 * card token → flags (decimal); regions: region code → '1'; entitlements (scope: venue id):
 * `<token>:<entitlement id>` → the entitlement as JSON. Scope 'all' (core/lists/envelope.ts
 * ALL_SCOPE) for every kind but entitlements.
 */
export type { ListKind };

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

export interface ListStore {
  /**
   * The store generation every list version belongs to (core/lists/generation.ts,
   * docs/decisions/0184): created with the store, the same for every connection to its data,
   * new after a restore from a backup (which numbers versions again).
   */
  listGeneration(): Promise<string>;
  /**
   * Applies changes to a list atomically under the next version; changes that change nothing
   * (a value already set, a removal of an absent key) are dropped. Null when nothing changed.
   */
  changeList(
    kind: ListKind,
    scope: string,
    changes: readonly ListChange[],
    now: number,
  ): Promise<ListVersionChanges | null>;
  listVersion(kind: ListKind, scope: string): Promise<number>;
  /** Entries in the list now (a size hint for devices building a snapshot's table). */
  listSize(kind: ListKind, scope: string): Promise<number>;
  /** The logged versions after since, oldest first, at most limit versions. */
  listChangesSince(
    kind: ListKind,
    scope: string,
    since: number,
    limit: number,
  ): Promise<ListVersionChanges[]>;
  /**
   * One page of a list's entries (cursor '' to start; next undefined at the end). Entries changed
   * while paging may come back in either state: callers replay the log (gateway/src/lists/).
   */
  listEntriesPage(
    kind: ListKind,
    scope: string,
    cursor: string,
    limit: number,
  ): Promise<{ entries: ListChange[]; next: string | undefined }>;
}
