// The deny list (lost, frozen cards): each change gets the next version in the store and goes
// out at once as a signed delta (publisher.ts); devices that missed some fetch them over HTTP
// (GET /v1/lists/deny/all?since=, stream.ts). The JSON answer of GET /v1/lists/deny?since=
// (sync below) stays for operators' tools; devices no longer use it.
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import type { DenyReasonName } from '../../../protos/codec.js';
import type { DenyChange, ListStore } from '../store/port.js';
import type { ListPublisher } from './publisher.js';
import { encodeRecords } from './sources.js';

/** The answer of GET /v1/lists/deny: the changes since a version, or the whole list (reset). */
export interface DenySync {
  version: number;
  reset: boolean;
  changes: Array<{ version: number; token: string; add: boolean; reason: DenyReasonName }>;
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
    const change = await this.store.changeDenyList(token, add, reason, this.now());
    if (!change) return null;
    const body = encodeRecords('deny', ALL_SCOPE, [{ key: token, value: add ? reason : '' }]);
    await this.lists.delta('deny', ALL_SCOPE, change.version, body, change.at);
    return change;
  }

  async sync(since: number): Promise<DenySync> {
    const version = await this.store.denyListVersion();
    if (since > 0 && since <= version && version - since <= MAX_CHANGES_PER_SYNC) {
      const changes = await this.store.denyChangesSince(since, MAX_CHANGES_PER_SYNC);
      return { version: changes.at(-1)?.version ?? since, reset: false, changes: changes.map(strip) };
    }
    const snapshot = await this.store.denySnapshot();
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

function strip(c: DenyChange) {
  return { version: c.version, token: c.token, add: c.add, reason: c.reason };
}
