// Store.venues on Redis: every key of a venue under its hash tag {v:<venue>} (redis-keys.ts
// VenueKeys; Cluster-ready: one slot per venue), each atomic step one Lua script (lua/placeBooking-5.lua,
// transitionBooking-4.lua, recordPassage-2.lua).
import type { Booking, BookingStatus } from '../../../core/venue/booking.js';
import type { Occupancy } from '../../../core/venue/occupancy.js';
import { dayCounts, passageFields, type VenueDayCounts } from '../stats/venues.js';
import type { PassageInput, PlaceOutcome, VenueStore } from './ports/venues.js';
import type { RedisClient } from './redis-client.js';
import { resultCode, ScriptResult } from './redis-codes.js';
import type { RedisKeys, VenueKeys } from './redis-keys.js';
import type { Scripts } from './redis-scripts.js';

/** Passage dedupe and day occupancy live two days: late offline uploads still count once. */
const DAY_KEYS_TTL_SEC = 2 * 24 * 3600;

const withStatus = (body: string, status: string): Booking => ({
  ...(JSON.parse(body) as Booking),
  status: status as BookingStatus,
});

export class RedisVenueStore implements VenueStore {
  private readonly keys: VenueKeys;

  constructor(
    private readonly redis: RedisClient,
    keys: RedisKeys,
    private readonly scripts: Scripts,
  ) {
    this.keys = keys.venue;
  }

  async placeBooking(b: Booking, limit: number | null): Promise<PlaceOutcome> {
    const k = this.keys;
    const cards = [...new Set([b.payerToken, ...b.holders])].map((t) => k.card(b.venueId, t));
    const reply = (await this.scripts.run(
      'placeBooking',
      [
        k.bodies(b.venueId),
        k.statuses(b.venueId),
        k.counters(b.venueId),
        k.pending(b.venueId),
        k.day(b.venueId, b.fromDay),
        ...cards,
      ],
      [b.id, b.status, b.counter, b.seats, limit === null ? '' : limit, JSON.stringify(b)],
    )) as [number, string?, string?];
    const code = resultCode('placeBooking', reply[0]);
    if (code === ScriptResult.DUPLICATE)
      return { status: 'duplicate', booking: withStatus(reply[1]!, reply[2]!) };
    if (code === ScriptResult.FULL) return { status: 'full', booking: b };
    return { status: 'placed', booking: b };
  }

  async transitionBooking(
    venueId: string,
    id: string,
    from: readonly BookingStatus[],
    to: BookingStatus,
  ): Promise<{ changed: boolean; booking: Booking } | undefined> {
    const k = this.keys;
    const reply = (await this.scripts.run(
      'transitionBooking',
      [k.bodies(venueId), k.statuses(venueId), k.counters(venueId), k.pending(venueId)],
      [id, to, ...from],
    )) as [number, string?, string?];
    const code = resultCode('transitionBooking', reply[0]);
    if (code === ScriptResult.NOT_FOUND) return undefined;
    if (code === ScriptResult.NOOP) return { changed: false, booking: withStatus(reply[1]!, reply[2]!) };
    return { changed: true, booking: withStatus(reply[1]!, to) };
  }

  async getBooking(venueId: string, id: string): Promise<Booking | undefined> {
    const [body, status] = await Promise.all([
      this.redis.hget(this.keys.bodies(venueId), id),
      this.redis.hget(this.keys.statuses(venueId), id),
    ]);
    return body === null || status === null ? undefined : withStatus(body, status);
  }

  async pendingBookings(venueId: string): Promise<Booking[]> {
    const ids = await this.redis.zrange(this.keys.pending(venueId), 0, -1);
    return this.byIdList(venueId, ids);
  }

  bookingsOfCard(venueId: string, token: string): Promise<Booking[]> {
    return this.byIds(venueId, this.keys.card(venueId, token));
  }

  bookingsOfDay(venueId: string, day: number): Promise<Booking[]> {
    return this.byIds(venueId, this.keys.day(venueId, day));
  }

  private async byIds(venueId: string, listKey: string): Promise<Booking[]> {
    return this.byIdList(venueId, await this.redis.lrange(listKey, 0, -1));
  }

  private async byIdList(venueId: string, ids: string[]): Promise<Booking[]> {
    if (ids.length === 0) return [];
    const [bodies, statuses] = await Promise.all([
      this.redis.hmget(this.keys.bodies(venueId), ...ids),
      this.redis.hmget(this.keys.statuses(venueId), ...ids),
    ]);
    return ids.flatMap((_, i) => {
      const body = bodies[i];
      const status = statuses[i];
      return body && status ? [withStatus(body, status)] : [];
    });
  }

  async counters(venueId: string, keys: readonly string[]): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const values = await this.redis.hmget(this.keys.counters(venueId), ...keys);
    return new Map(keys.map((key, i) => [key, Number(values[i] ?? 0)]));
  }

  async addNoShow(venueId: string, token: string, day: number): Promise<void> {
    await this.redis.sadd(this.keys.noShows(venueId, token), String(day));
  }

  async noShowDays(venueId: string, tokens: readonly string[]): Promise<Map<string, number[]>> {
    const sets = await Promise.all(tokens.map((t) => this.redis.smembers(this.keys.noShows(venueId, t))));
    return new Map(tokens.map((t, i) => [t, sets[i]!.map(Number).sort((a, b) => a - b)]));
  }

  async recordPassage(p: PassageInput): Promise<{ applied: boolean; before: Occupancy; after: Occupancy }> {
    const reply = (await this.scripts.run(
      'recordPassage',
      [this.keys.occupancy(p.venueId, p.day), this.keys.seen(p.venueId, p.day)],
      [p.id, p.direction, DAY_KEYS_TTL_SEC, ...passageFields(p)],
    )) as number[];
    const [applied, ib, eb, ia, ea] = reply.map(Number) as [number, number, number, number, number];
    return {
      applied: applied === 1,
      before: { inside: ib, entriesToday: eb },
      after: { inside: ia, entriesToday: ea },
    };
  }

  async occupancy(venueId: string, day: number): Promise<Occupancy> {
    const [i, e] = await this.redis.hmget(this.keys.occupancy(venueId, day), 'i', 'e');
    return { inside: Number(i ?? 0), entriesToday: Number(e ?? 0) };
  }

  async dayCounts(venueId: string, day: number): Promise<VenueDayCounts> {
    const all = await this.redis.hgetall(this.keys.occupancy(venueId, day));
    return dayCounts(new Map(Object.entries(all).map(([f, n]) => [f, Number(n)])));
  }
}
