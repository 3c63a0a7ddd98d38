// Store.venues on SQLite: each operation one IMMEDIATE transaction on the store's file, so a
// capacity check and the write it allows cannot interleave with another process's.

import type Database from 'better-sqlite3';
import type { Booking, BookingStatus } from '../../../core/venue/booking.js';
import type { Occupancy } from '../../../core/venue/occupancy.js';
import { dayCounts, passageFields, type VenueDayCounts } from '../stats/venues.js';
import { HOLDING, type PassageInput, type PlaceOutcome, type VenueStore } from './ports/venues.js';
import { preparedCache } from './sqlite-prepared.js';

export const venueSchema = `
CREATE TABLE IF NOT EXISTS venue_bookings (
  venue TEXT NOT NULL,
  id TEXT NOT NULL,
  status TEXT NOT NULL,
  day INTEGER NOT NULL,
  body TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (venue, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS venue_bookings_by_day ON venue_bookings (venue, day, seq);
CREATE INDEX IF NOT EXISTS venue_bookings_pending ON venue_bookings (venue, seq) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS venue_booking_cards (
  venue TEXT NOT NULL,
  token TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (venue, token, seq, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS venue_counters (
  venue TEXT NOT NULL,
  key TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (venue, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS venue_no_shows (
  venue TEXT NOT NULL,
  token TEXT NOT NULL,
  day INTEGER NOT NULL,
  PRIMARY KEY (venue, token, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS venue_occupancy (
  venue TEXT NOT NULL,
  day INTEGER NOT NULL,
  inside INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  PRIMARY KEY (venue, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS venue_day_counts (
  venue TEXT NOT NULL,
  day INTEGER NOT NULL,
  field TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (venue, day, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS venue_passages (
  venue TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (venue, id)
) WITHOUT ROWID;
`;

interface Row {
  status: BookingStatus;
  body: string;
}

const bookingOf = (r: Row): Booking => ({ ...(JSON.parse(r.body) as Booking), status: r.status });

export class SqliteVenueStore implements VenueStore {
  private readonly placeTx;
  private readonly transitionTx;
  private readonly passageTx;

  /** Prepared once per distinct SQL text (sqlite-prepared.ts). */
  private readonly sql: (text: string) => Database.Statement;

  constructor(db: Database.Database) {
    this.sql = preparedCache(db);
    db.exec(venueSchema);
    this.placeTx = db.transaction(this.place.bind(this));
    this.transitionTx = db.transaction(this.transition.bind(this));
    this.passageTx = db.transaction(this.passage.bind(this));
  }

  async placeBooking(booking: Booking, limit: number | null): Promise<PlaceOutcome> {
    return this.placeTx.immediate(booking, limit);
  }

  private place(b: Booking, limit: number | null): PlaceOutcome {
    const existing = this.row(b.venueId, b.id);
    if (existing) return { status: 'duplicate', booking: bookingOf(existing) };
    if (b.counter !== '') {
      const count = this.count(b.venueId, b.counter);
      if (limit !== null && count + b.seats > limit) return { status: 'full', booking: b };
      this.sql(
        `INSERT INTO venue_counters (venue, key, count) VALUES (?, ?, ?)
           ON CONFLICT (venue, key) DO UPDATE SET count = count + excluded.count`,
      ).run(b.venueId, b.counter, b.seats);
    }
    // Insertion order per venue, for listing oldest first: a counter that never shrinks.
    const seq = (
      this.sql(
        `INSERT INTO venue_counters (venue, key, count) VALUES (?, '#seq', 1)
           ON CONFLICT (venue, key) DO UPDATE SET count = count + 1 RETURNING count`,
      ).get(b.venueId) as { count: number }
    ).count;
    this.sql('INSERT INTO venue_bookings (venue, id, status, day, body, seq) VALUES (?, ?, ?, ?, ?, ?)').run(
      b.venueId,
      b.id,
      b.status,
      b.fromDay,
      JSON.stringify(b),
      seq,
    );
    const card = this.sql(
      'INSERT OR IGNORE INTO venue_booking_cards (venue, token, seq, id) VALUES (?, ?, ?, ?)',
    );
    for (const token of new Set([b.payerToken, ...b.holders])) card.run(b.venueId, token, seq, b.id);
    return { status: 'placed', booking: b };
  }

  async transitionBooking(
    venueId: string,
    id: string,
    from: readonly BookingStatus[],
    to: BookingStatus,
  ): Promise<{ changed: boolean; booking: Booking } | undefined> {
    return this.transitionTx.immediate(venueId, id, from, to);
  }

  private transition(venueId: string, id: string, from: readonly BookingStatus[], to: BookingStatus) {
    const row = this.row(venueId, id);
    if (!row) return undefined;
    const booking = bookingOf(row);
    if (!from.includes(row.status)) return { changed: false, booking };
    this.sql('UPDATE venue_bookings SET status = ? WHERE venue = ? AND id = ?').run(to, venueId, id);
    if (to === 'cancelled' && HOLDING.includes(row.status) && booking.counter !== '')
      this.sql('UPDATE venue_counters SET count = max(0, count - ?) WHERE venue = ? AND key = ?').run(
        booking.seats,
        venueId,
        booking.counter,
      );
    return { changed: true, booking: { ...booking, status: to } };
  }

  async getBooking(venueId: string, id: string): Promise<Booking | undefined> {
    const row = this.row(venueId, id);
    return row ? bookingOf(row) : undefined;
  }

  async bookingsOfCard(venueId: string, token: string): Promise<Booking[]> {
    const rows = this.sql(
      `SELECT b.status AS status, b.body AS body FROM venue_booking_cards c
         JOIN venue_bookings b ON b.venue = c.venue AND b.id = c.id
         WHERE c.venue = ? AND c.token = ? ORDER BY c.seq`,
    ).all(venueId, token) as Row[];
    return rows.map(bookingOf);
  }

  async bookingsOfDay(venueId: string, day: number): Promise<Booking[]> {
    const rows = this.sql(
      'SELECT status, body FROM venue_bookings WHERE venue = ? AND day = ? ORDER BY seq',
    ).all(venueId, day) as Row[];
    return rows.map(bookingOf);
  }

  async pendingBookings(venueId: string): Promise<Booking[]> {
    const rows = this.sql(
      "SELECT status, body FROM venue_bookings WHERE venue = ? AND status = 'pending' ORDER BY seq",
    ).all(venueId) as Row[];
    return rows.map(bookingOf);
  }

  async counters(venueId: string, keys: readonly string[]): Promise<Map<string, number>> {
    return new Map(keys.map((k) => [k, this.count(venueId, k)]));
  }

  async addNoShow(venueId: string, token: string, day: number): Promise<void> {
    this.sql('INSERT OR IGNORE INTO venue_no_shows (venue, token, day) VALUES (?, ?, ?)').run(
      venueId,
      token,
      day,
    );
  }

  async noShowDays(venueId: string, tokens: readonly string[]): Promise<Map<string, number[]>> {
    const q = this.sql('SELECT day FROM venue_no_shows WHERE venue = ? AND token = ? ORDER BY day');
    return new Map(
      tokens.map((t) => [t, (q.all(venueId, t) as { day: number }[]).map((r) => r.day)] as const),
    );
  }

  async recordPassage(p: PassageInput) {
    return this.passageTx.immediate(p);
  }

  private passage(p: PassageInput): { applied: boolean; before: Occupancy; after: Occupancy } {
    const before = this.occ(p.venueId, p.day);
    const fresh = this.sql('INSERT OR IGNORE INTO venue_passages (venue, id) VALUES (?, ?)').run(
      p.venueId,
      p.id,
    );
    if (fresh.changes === 0) return { applied: false, before, after: before };
    const after =
      p.direction === 'entry'
        ? { inside: before.inside + 1, entriesToday: before.entriesToday + 1 }
        : { inside: Math.max(0, before.inside - 1), entriesToday: before.entriesToday };
    this.sql(
      `INSERT INTO venue_occupancy (venue, day, inside, entries) VALUES (?, ?, ?, ?)
         ON CONFLICT (venue, day) DO UPDATE SET inside = excluded.inside, entries = excluded.entries`,
    ).run(p.venueId, p.day, after.inside, after.entriesToday);
    const bump = this.sql(
      `INSERT INTO venue_day_counts (venue, day, field, n) VALUES (?, ?, ?, 1)
         ON CONFLICT (venue, day, field) DO UPDATE SET n = n + 1`,
    );
    for (const field of passageFields(p)) bump.run(p.venueId, p.day, field);
    return { applied: true, before, after };
  }

  async occupancy(venueId: string, day: number): Promise<Occupancy> {
    return this.occ(venueId, day);
  }

  async dayCounts(venueId: string, day: number): Promise<VenueDayCounts> {
    const rows = this.sql('SELECT field, n FROM venue_day_counts WHERE venue = ? AND day = ?').all(
      venueId,
      day,
    ) as { field: string; n: number }[];
    return dayCounts(new Map(rows.map((r) => [r.field, r.n])));
  }

  private occ(venueId: string, day: number): Occupancy {
    const row = this.sql('SELECT inside, entries FROM venue_occupancy WHERE venue = ? AND day = ?').get(
      venueId,
      day,
    ) as { inside: number; entries: number } | undefined;
    return { inside: row?.inside ?? 0, entriesToday: row?.entries ?? 0 };
  }

  private row(venueId: string, id: string): Row | undefined {
    return this.sql('SELECT status, body FROM venue_bookings WHERE venue = ? AND id = ?').get(venueId, id) as
      | Row
      | undefined;
  }

  private count(venueId: string, key: string): number {
    const row = this.sql('SELECT count FROM venue_counters WHERE venue = ? AND key = ?').get(venueId, key) as
      | { count: number }
      | undefined;
    return row?.count ?? 0;
  }
}
