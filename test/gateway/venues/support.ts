// A venue service over a real store, with a settable clock, the test venues of
// test/core/venue/fixtures.ts and the entitlement changes it sends to the gates' lists.
import pino from 'pino';
import type { Entitlement } from '../../../core/facts.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { type CapacityWarning, VenuePassages } from '../../../gateway/src/venues/passages.js';
import { type EntitlementSink, VenueService } from '../../../gateway/src/venues/service.js';
import { museum, scenic } from '../../core/venue/fixtures.js';
import { newCard } from '../store/fixtures.js';

export interface ListChanges {
  put: Array<{ token: string; entitlement: Omit<Entitlement, 'venueId'> }>;
  remove: Array<{ token: string; id: string }>;
}

export function venueWorld(store: Store, start: number, sink?: EntitlementSink) {
  const clock = { now: start };
  const changes: ListChanges = { put: [], remove: [] };
  const entitlements: EntitlementSink = sink ?? {
    async changeEntitlements(_venueId, put, remove = []) {
      changes.put.push(...put);
      changes.remove.push(...remove);
      return null;
    },
  };
  const venues = new Map([
    [museum.id, museum],
    [scenic.id, scenic],
  ]);
  const service = new VenueService({ store, venues, entitlements, now: () => clock.now });
  const warnings: CapacityWarning[] = [];
  const passages = new VenuePassages({
    store,
    venues: service,
    log: pino({ level: 'silent' }),
    onWarning: (w) => warnings.push(w),
  });
  return { clock, changes, service, passages, warnings };
}

/** Issues card n with a balance and flags; returns its token. */
export async function card(store: Store, n: number, balanceFen = 10_000, flags = 0): Promise<string> {
  const c = newCard(n, balanceFen, flags);
  await store.issueCard(c);
  return c.token;
}

export async function balance(store: Store, token: string): Promise<number> {
  return (await store.loadCards([token])).get(token)!.balanceFen;
}
