// The gateway's list service: the one place that changes the keyed lists (concession flags,
// recognised regions, venue entitlements) and tells the devices. Card issuance, the admin API
// and (later) venue purchases and reservations call these methods; each call is one version
// of its list and one signed delta.
import type { Entitlement } from '../../../core/facts.js';
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import type { ListKind } from '../../../protos/codec.js';
import type { ListChange, ListStore, ListVersionChanges } from '../store/port.js';
import type { ListPublisher } from './publisher.js';
import { encodeRecords, entitlementKey } from './sources.js';
import { type ListAnswer, listAnswer } from './stream.js';

export interface ListVersionJson {
  kind: ListKind;
  scope: string;
  version: number;
}

export class ListService {
  constructor(
    private readonly store: ListStore,
    private readonly publisher: ListPublisher,
    private readonly now: () => number,
  ) {}

  /** Concession flags of cards (core/card.ts ConcessionFlag bits; 0 takes a card off). */
  setFlags(entries: ReadonlyArray<{ token: string; flags: number }>): Promise<ListVersionChanges | null> {
    return this.change(
      'flags',
      ALL_SCOPE,
      entries.map((e) => ({ key: e.token, value: e.flags === 0 ? '' : String(e.flags) })),
    );
  }

  /** Issuing regions recognised for same-city treatment (同城待遇). */
  setRegions(
    entries: ReadonlyArray<{ region: string; recognised: boolean }>,
  ): Promise<ListVersionChanges | null> {
    return this.change(
      'regions',
      ALL_SCOPE,
      entries.map((e) => ({ key: e.region, value: e.recognised ? '1' : '' })),
    );
  }

  /**
   * Entitlements at one venue: put (sold, booked, renewed; replaces one with the same id) and
   * remove (refunded, cancelled) in one version. The venue purchase and reservation work calls
   * this; devices at the venue receive it as one signed delta.
   */
  changeEntitlements(
    venueId: string,
    put: ReadonlyArray<{ token: string; entitlement: Omit<Entitlement, 'venueId'> }>,
    remove: ReadonlyArray<{ token: string; id: string }> = [],
  ): Promise<ListVersionChanges | null> {
    return this.change('entitlements', venueId, [
      ...put.map((p) => ({
        key: entitlementKey(p.token, p.entitlement.id),
        value: JSON.stringify({ ...p.entitlement, venueId }),
      })),
      ...remove.map((r) => ({ key: entitlementKey(r.token, r.id), value: '' })),
    ]);
  }

  /** What a device at version since needs: a signed delta or snapshot stream (stream.ts). */
  answer(kind: ListKind, scope: string, since: number): Promise<ListAnswer> {
    return listAnswer(this.store, this.publisher.signer, kind, scope, since, this.now);
  }

  async versions(venues: readonly string[]): Promise<ListVersionJson[]> {
    const lists: Array<[ListKind, string]> = [
      ['deny', ALL_SCOPE],
      ['flags', ALL_SCOPE],
      ['regions', ALL_SCOPE],
      ...venues.map((v): [ListKind, string] => ['entitlements', v]),
    ];
    return Promise.all(
      lists.map(async ([kind, scope]) => ({
        kind,
        scope,
        version: await this.store.listVersion(kind, scope),
      })),
    );
  }

  private async change(
    kind: ListKind,
    scope: string,
    changes: readonly ListChange[],
  ): Promise<ListVersionChanges | null> {
    const done = await this.store.changeList(kind, scope, changes, this.now());
    if (done)
      await this.publisher.delta(
        kind,
        scope,
        done.version,
        encodeRecords(kind, scope, done.changes),
        done.at,
      );
    return done;
  }
}
