// Housekeeping every minute: pending bookings nobody finished are resolved (a paid one is
// confirmed, an unpaid one cancelled, freeing its places; nobody is charged), read from the
// store's pending index (a handful, not the day's bookings); museum days are settled for
// no-shows: today every 15 minutes, yesterday once more after midnight (reading a day's
// bookings is the expensive part). Every step is idempotent, so several gateway instances may
// sweep at once.
import type { FastifyBaseLogger } from 'fastify';
import { localDay } from '../../../core/time.js';
import type { StoreParts } from '../store/port.js';
import type { VenuePassages } from './passages.js';
import type { VenueService } from './service.js';

export interface SweeperOptions {
  store: Pick<StoreParts, 'venues'>;
  service: VenueService;
  passages: VenuePassages;
  log: FastifyBaseLogger;
  now: () => number;
  /** A pending booking this old is abandoned (its client would have retried by now). */
  pendingAfterMs?: number;
  intervalMs?: number;
}

export class VenueSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** When museum days were last settled, per venue and day. */
  private readonly settled = new Map<string, number>();

  constructor(private readonly opts: SweeperOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((err) => this.opts.log.error({ err }, 'venue sweep failed; next round retries'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.opts.intervalMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(): Promise<{ confirmed: number; cancelled: number; noShows: number }> {
    const out = { confirmed: 0, cancelled: 0, noShows: 0 };
    const { service, passages, now } = this.opts;
    const today = localDay(now());
    for (const venue of service.list()) {
      const r = await this.resolvePending(venue.id);
      out.confirmed += r.confirmed;
      out.cancelled += r.cancelled;
      if (venue.kind !== 'museum') continue;
      // Yesterday once (its last slots ended after the last run of yesterday), today every 15 min.
      for (const [day, everyMs] of [
        [today - 1, Number.POSITIVE_INFINITY],
        [today, 15 * 60_000],
      ] as const) {
        const key = `${venue.id}:${day}`;
        const last = this.settled.get(key);
        if (last !== undefined && now() - last < everyMs) continue;
        out.noShows += (await passages.settleNoShows(venue.id, day, now())).marked;
        this.settled.set(key, now());
      }
    }
    for (const key of [...this.settled.keys()])
      if (Number(key.slice(key.lastIndexOf(':') + 1)) < today - 1) this.settled.delete(key);
    return out;
  }

  private async resolvePending(venueId: string) {
    const { store, service, now } = this.opts;
    const venue = service.venue(venueId);
    const out = { confirmed: 0, cancelled: 0 };
    const before = now() - (this.opts.pendingAfterMs ?? 5 * 60_000);
    for (const b of await store.venues.pendingBookings(venueId)) {
      if (b.createdAt > before) continue;
      if (await service.paid(b)) {
        if ((await service.finish(venue, b)).status === 'confirmed') out.confirmed++;
      } else if ((await store.venues.transitionBooking(venueId, b.id, ['pending'], 'cancelled'))?.changed)
        out.cancelled++;
    }
    return out;
  }
}
