// Live occupancy and no-shows from the visits gates record: an entry marks the reservation it
// used, entries and exits move the venue's occupancy, and the operator is warned when it
// reaches the warning share or the capacity (最大承载量). No-shows are settled after a slot.
import type { FastifyBaseLogger } from 'fastify';
import { type TapInput, tapRecordId } from '../../../core/ledger.js';
import { localDay, localMinute } from '../../../core/time.js';
import { isNoShow } from '../../../core/venue/booking.js';
import { lateToleranceMin } from '../../../core/venue/gates.js';
import { type Level, type Occupancy, occupancyLevels, risenLevel } from '../../../core/venue/occupancy.js';
import type { EntryKind } from '../stats/venues.js';
import type { StoreParts } from '../store/port.js';
import type { VenueCounters } from './metrics.js';
import type { VenueService } from './service.js';

export interface Passage {
  venueId: string;
  /** The visit record's id (tap:<device>:<seq>): counted once however often it is delivered. */
  id: string;
  at: number;
  direction: 'entry' | 'exit';
  /** The entitlement the gate admitted on ('' none): a booking id, or "<booking id>.<n>". */
  entitlementId: string;
}

export interface CapacityWarning {
  venueId: string;
  level: Exclude<Level, 'normal'>;
  occupancy: Occupancy;
  at: number;
}

export class VenuePassages {
  constructor(
    private readonly opts: {
      store: Pick<StoreParts, 'venues'>;
      venues: VenueService;
      log: FastifyBaseLogger;
      counters?: VenueCounters;
      onWarning?: (w: CapacityWarning) => void;
    },
  ) {}

  /**
   * Counts the allowed visits of a committed batch at described venues (ingest calls this
   * before the ack: a failure leaves the batch unacked, and the resent taps count once).
   */
  async recordVisits(taps: readonly TapInput[]): Promise<void> {
    for (const t of taps) {
      // A refused tap (a venue the gate is not registered at, docs/decisions/0161) moves nothing.
      if (t.record !== 'visit' || t.edgeDecision !== 'allow' || t.venueId === '' || t.refusal) continue;
      if (t.direction !== 'entry' && t.direction !== 'exit') continue;
      await this.record({
        venueId: t.venueId,
        id: tapRecordId(t),
        at: t.deviceTimeMs,
        direction: t.direction,
        entitlementId: t.entitlementId ?? '',
      });
    }
  }

  /** Counts a committed visit; unknown venues (not described in files) are left alone. */
  async record(p: Passage): Promise<{ applied: boolean; occupancy: Occupancy; warning?: CapacityWarning }> {
    const venue = this.opts.venues.find(p.venueId);
    if (!venue) return { applied: false, occupancy: { inside: 0, entriesToday: 0 } };
    const { store } = this.opts;
    const entry = p.direction === 'entry' && p.entitlementId !== '';
    const bookingId = p.entitlementId.replace(/\.\d+$/, '');
    // What admitted the entry, for the annual-pass use figure (docs/decisions/0135).
    let kind: EntryKind = 'none';
    if (entry) kind = (await store.venues.getBooking(p.venueId, bookingId))?.kind ?? 'none';
    const done = await store.venues.recordPassage({
      venueId: p.venueId,
      id: p.id,
      day: localDay(p.at),
      direction: p.direction,
      hour: Math.floor(localMinute(p.at) / 60),
      kind,
    });
    if (done.applied && entry)
      await store.venues.transitionBooking(p.venueId, bookingId, ['confirmed'], 'used');
    const level = done.applied ? risenLevel(venue.capacity, done.before, done.after) : undefined;
    if (!level || level === 'normal') return { applied: done.applied, occupancy: done.after };
    const warning: CapacityWarning = { venueId: p.venueId, level, occupancy: done.after, at: p.at };
    this.opts.counters?.capacityWarnings.inc({ venue: p.venueId, level });
    this.opts.log.warn({ venue: p.venueId, level, ...done.after }, 'venue occupancy at its warning share');
    this.opts.onWarning?.(warning);
    return { applied: true, occupancy: done.after, warning };
  }

  async occupancy(venueId: string, day: number) {
    const venue = this.opts.venues.venue(venueId);
    const o = await this.opts.store.venues.occupancy(venueId, day);
    return { ...o, capacity: venue.capacity, levels: occupancyLevels(venue.capacity, o) };
  }

  /**
   * Marks the day's confirmed reservations whose slot is over, with the gates' late tolerance
   * (core/venue/gates.ts), as no-shows and counts one for each of their holders (real-name:
   * each person booked). Idempotent.
   */
  async settleNoShows(venueId: string, day: number, now: number) {
    const graceMin = lateToleranceMin(this.opts.venues.venue(venueId));
    const { store } = this.opts;
    let marked = 0;
    for (const b of await store.venues.bookingsOfDay(venueId, day)) {
      if (!isNoShow(b, now, graceMin)) continue;
      const moved = await store.venues.transitionBooking(venueId, b.id, ['confirmed'], 'no_show');
      if (!moved?.changed) continue;
      marked++;
      for (const token of b.holders) await store.venues.addNoShow(venueId, token, day);
    }
    return { marked };
  }
}
