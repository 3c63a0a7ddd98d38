// The deny list (lost, frozen cards): a list kind like the others (docs/decisions/0184), key the
// card token, value the deny reason name. Each change gets the next version in the store and
// goes out at once as a signed delta (publisher.ts); devices that missed some fetch them over
// HTTP (GET /v1/lists/deny/all?since=, stream.ts). The JSON answer of GET /v1/lists/deny?since=
// (sync below) stays for operators' tools; devices no longer use it.
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import type { DenyReasonName } from '../../../protos/codec.js';
import type { ListChange, ListStore } from '../store/port.js';
import type { ListPublisher } from './publisher.js';
import { encodeRecords, PAGE_ENTRIES } from './sources.js';

/** One change of the deny list, with the version it made. */
export interface DenyChange {
  version: number;
  token: string;
  add: boolean;
  reason: DenyReasonName;
  at: number;
}

/**
 * The answer of GET /v1/lists/deny: the changes since a version, or the whole list (reset). A
 * removal has no reason (the list keeps none for it, as the devices' records carry code 0).
 */
export interface DenySync {
  version: number;
  reset: boolean;
  changes: Array<{ version: number; token: string; add: boolean; reason?: DenyReasonName }>;
}

/** A device this far behind gets the whole list rather than the changes. */
const MAX_CHANGES_PER_SYNC = 10_000;

export class DenyListPublisher {
  constructor(
    private readonly store: ListStore,
    private readonly lists: ListPublisher,
    private readonly now: () => number,
  ) {}

  /** Changes the list and tells the devices. Returns null when nothing changed. */
  async change(token: string, add: boolean, reason: DenyReasonName): Promise<DenyChange | null> {
    const entry: ListChange = { key: token, value: add ? reason : '' };
    const done = await this.store.changeList('deny', ALL_SCOPE, [entry], this.now());
    if (!done) return null;
    await this.lists.delta(
      'deny',
      ALL_SCOPE,
      done.version,
      encodeRecords('deny', ALL_SCOPE, [entry]),
      done.at,
    );
    return { version: done.version, token, add, reason, at: done.at };
  }

  version(): Promise<number> {
    return this.store.listVersion('deny', ALL_SCOPE);
  }

  async sync(since: number): Promise<DenySync> {
    const version = await this.store.listVersion('deny', ALL_SCOPE);
    if (since > 0 && since <= version && version - since <= MAX_CHANGES_PER_SYNC) {
      const log = await this.store.listChangesSince('deny', ALL_SCOPE, since, MAX_CHANGES_PER_SYNC);
      const changes = log.flatMap((v) => v.changes.map((c) => syncChange(v.version, c)));
      return { version: log.at(-1)?.version ?? since, reset: false, changes };
    }
    const snapshot = await denySnapshot(this.store);
    return {
      version: snapshot.version,
      reset: true,
      changes: snapshot.entries.map((e) => ({
        version: snapshot.version,
        token: e.token,
        add: true,
        reason: e.reason,
      })),
    };
  }
}

function syncChange(version: number, c: ListChange): DenySync['changes'][number] {
  return c.value === ''
    ? { version, token: c.key, add: false }
    : { version, token: c.key, add: true, reason: c.value as DenyReasonName };
}

/**
 * The whole deny list at one version, by token: read page by page, then the changes logged
 * while it was read replayed in order, which leaves exactly the list of the later version.
 */
export async function denySnapshot(
  store: ListStore,
): Promise<{ version: number; entries: Array<{ token: string; reason: DenyReasonName }> }> {
  const before = await store.listVersion('deny', ALL_SCOPE);
  const entries = new Map<string, string>();
  let cursor: string | undefined = '';
  while (cursor !== undefined) {
    const page = await store.listEntriesPage('deny', ALL_SCOPE, cursor, PAGE_ENTRIES);
    for (const e of page.entries) entries.set(e.key, e.value);
    cursor = page.next;
  }
  let version = before;
  for (;;) {
    const log = await store.listChangesSince('deny', ALL_SCOPE, version, PAGE_ENTRIES);
    if (log.length === 0) break;
    for (const c of log.flatMap((v) => v.changes))
      if (c.value === '') entries.delete(c.key);
      else entries.set(c.key, c.value);
    version = log.at(-1)!.version;
  }
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { version, entries: sorted.map(([token, reason]) => ({ token, reason: reason as DenyReasonName })) };
}
