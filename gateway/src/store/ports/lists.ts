// The versioned lists the gateway signs for the devices (docs/decisions/0050): the deny list
// and the keyed value lists, each a map with a version that grows by 1 per change and a log of
// the changes, so devices take deltas and a snapshot can be built page by page.
import type { DenyReasonName } from '../../../../protos/codec.js';

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

export interface ListStore {
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
}
