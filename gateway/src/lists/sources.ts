// Where each list's content comes from, as record bodies: every kind (deny, flags, regions,
// entitlements) from the store's list methods (docs/decisions/0184). A snapshot is produced
// page by page (never the whole list as JS objects) and made
// consistent by replaying the log written while it was paged (see snapshotRecords).
import type { Entitlement } from '../../../core/facts.js';
import {
  encodeEntitlementRecord,
  encodeRegionRecords,
  encodeTokenRecords,
} from '../../../core/lists/records.js';
import { type DenyReasonName, denyReasons, type ListKind } from '../../../protos/codec.js';
import type { ListChange, ListStore } from '../store/port.js';

/** Entries per snapshot page (and per stream frame: about 70 KB of token records). */
export const PAGE_ENTRIES = 4096;

/** Net changes: one record per key, the last value wins ('' removes). */
export function encodeRecords(kind: ListKind, scope: string, changes: Iterable<ListChange>): Buffer {
  const list = [...changes];
  if (kind === 'deny' || kind === 'flags')
    return encodeTokenRecords(
      list.map((c) => ({
        token: c.key,
        value:
          c.value === ''
            ? 0
            : kind === 'deny'
              ? denyReasons.code[c.value as DenyReasonName]
              : Number(c.value),
      })),
    );
  if (kind === 'regions')
    return encodeRegionRecords(list.map((c) => ({ region: c.key, recognised: c.value !== '' })));
  return Buffer.concat(
    list.map((c) => {
      const [token, id] = splitEntitlementKey(c.key);
      if (c.value === '') return encodeEntitlementRecord(token, { ...removal, id, venueId: scope }, true);
      return encodeEntitlementRecord(token, { ...(JSON.parse(c.value) as Entitlement), id });
    }),
  );
}

export function entitlementKey(token: string, id: string): string {
  return `${token}:${id}`;
}

function splitEntitlementKey(key: string): [string, string] {
  const i = key.indexOf(':');
  return [key.slice(0, i), key.slice(i + 1)];
}

const removal: Omit<Entitlement, 'id' | 'venueId'> = {
  kind: 'ticket',
  fromDay: 0,
  toDay: 0,
  slotStartMin: 0,
  slotEndMin: 1440,
  maxEntries: 0,
};

/**
 * The net changes after since up to the current version, or undefined when the device should
 * take a snapshot instead (more than maxVersions versions behind).
 */
export async function changesSince(
  store: ListStore,
  kind: ListKind,
  scope: string,
  since: number,
  maxVersions: number,
): Promise<{ version: number; changes: Map<string, string> } | undefined> {
  const net = new Map<string, string>();
  const log = await store.listChangesSince(kind, scope, since, maxVersions + 1);
  if (log.length > maxVersions) return undefined;
  for (const v of log) for (const c of v.changes) net.set(c.key, c.value);
  return { version: log.at(-1)?.version ?? since, changes: net };
}

/**
 * The whole list as record pages. Pages read while the list changes may mix versions; the
 * changes logged between the version read before paging and the one read after are appended
 * as records, and since records apply in order with the last one winning, the result is
 * exactly the list at the later version, which is returned.
 */
export async function* snapshotRecords(
  store: ListStore,
  kind: ListKind,
  scope: string,
): AsyncGenerator<Buffer, number> {
  const before = await store.listVersion(kind, scope);
  let cursor: string | undefined = '';
  while (cursor !== undefined) {
    const page = await store.listEntriesPage(kind, scope, cursor, PAGE_ENTRIES);
    if (page.entries.length > 0) yield encodeRecords(kind, scope, page.entries);
    cursor = page.next;
  }
  let version = before;
  for (;;) {
    const log = await store.listChangesSince(kind, scope, version, PAGE_ENTRIES);
    if (log.length === 0) return version;
    yield encodeRecords(
      kind,
      scope,
      log.flatMap((v) => v.changes),
    );
    version = log.at(-1)!.version;
  }
}
