// JSON Schemas of the venue routes (routes/venues.ts): venues with their products and slots,
// availability, bookings, occupancy. Responses list only what may leave: no card tokens.
import type { Booking } from '../../../../core/venue/booking.js';
import { VenueError } from '../../venues/errors.js';
import * as s from '../schemas.js';

const problem = { $ref: 'Problem#' } as const;
export const venueErrors = { ...s.errors, 402: problem, 403: problem, 422: problem } as const;

export const venueParams = {
  type: 'object',
  properties: { venueId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } },
  required: ['venueId'],
} as const;

export const date = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'Local date (UTC+8), YYYY-MM-DD',
} as const;

export const requestId = {
  type: 'string',
  pattern: '^[A-Za-z0-9_.:-]{8,64}$',
  description: 'Chosen by the client; the same id again answers the same booking (idempotent)',
} as const;

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;

const slot = {
  type: 'object',
  properties: { startMin: int, endMin: int, capacity: int },
  required: ['startMin', 'endMin', 'capacity'],
} as const;

const capacity = {
  type: 'object',
  description: 'Carrying capacity (最大承载量); 0 is unlimited',
  properties: { daily: int, instant: int, warnShare: { type: 'number' } },
  required: ['daily', 'instant', 'warnShare'],
} as const;

export const venue = {
  type: 'object',
  properties: {
    id: str,
    name: str,
    kind: { type: 'string', enum: ['library', 'museum', 'scenic'] },
    operatorId: str,
    openMin: int,
    closeMin: int,
    slots: { type: 'array', items: slot },
    booking: {
      type: 'object',
      properties: {
        horizonDays: int,
        maxParty: int,
        seniorWalkInQuota: int,
        closeBeforeEndMin: int,
        noShowLimit: int,
        noShowWindowDays: int,
        blockDays: int,
      },
    },
    capacity,
    entryRules: {
      type: 'object',
      description: "Overrides of the gate profile's entry rules for the venue's gates (core/entry/rules.ts)",
      additionalProperties: true,
    },
    gates: {
      type: 'object',
      description: 'Per gate (device id): overrides over entryRules',
      additionalProperties: { type: 'object', additionalProperties: true },
    },
    products: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: str,
          name: str,
          kind: { type: 'string', enum: ['ticket', 'annual_pass', 'reservation'] },
          priceFen: int,
          freeFor: { type: 'array', items: str },
          validityDays: int,
          maxEntries: { ...int, description: '0: unlimited' },
        },
        required: ['id', 'name', 'kind', 'priceFen', 'freeFor', 'validityDays', 'maxEntries'],
      },
    },
  },
  required: ['id', 'name', 'kind', 'operatorId', 'openMin', 'closeMin', 'slots', 'capacity', 'products'],
} as const;

export const gateConfig = {
  type: 'object',
  description: "The venue's part of a gate's edge-agent config file (edge-agent/src/config.ts keys)",
  properties: {
    profile: str,
    venueId: str,
    entryMaxPerDay: str,
    entryAntiPassbackMin: str,
    entryReentryAfterExit: str,
    entrySlotToleranceBeforeMin: str,
    entrySlotToleranceAfterMin: str,
    entryExitWithoutEntry: str,
  },
  required: ['profile', 'venueId'],
} as const;

export const availability = {
  type: 'object',
  properties: {
    venueId: str,
    date: str,
    slots: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          startMin: int,
          endMin: int,
          capacity: int,
          booked: int,
          open: { ...int, description: 'Places left for online booking and walk-ins' },
          seniorWalkIn: { ...int, description: 'Places left for seniors walking in (their quota included)' },
        },
        required: ['startMin', 'endMin', 'capacity', 'booked', 'open', 'seniorWalkIn'],
      },
    },
    daily: {
      type: 'object',
      properties: { capacity: int, sold: int },
      required: ['capacity', 'sold'],
    },
  },
  required: ['venueId', 'date', 'slots', 'daily'],
} as const;

export const booking = {
  type: 'object',
  properties: {
    id: str,
    venueId: str,
    productId: str,
    kind: { type: 'string', enum: ['ticket', 'annual_pass', 'reservation'] },
    channel: { type: 'string', enum: ['online', 'walk_in'] },
    status: { type: 'string', enum: ['pending', 'confirmed', 'cancelled', 'used', 'no_show'] },
    fromDate: str,
    toDate: str,
    slotStartMin: int,
    slotEndMin: int,
    maxEntries: int,
    priceFen: { ...int, description: 'Total paid, fen, after concessions' },
    holders: { ...int, description: 'People named in the booking' },
    code: {
      type: 'string',
      description: 'Signed QR code of a free reservation for the e-card app (when QR issuing is on)',
    },
  },
  required: ['id', 'venueId', 'productId', 'kind', 'status', 'fromDate', 'toDate', 'priceFen', 'holders'],
} as const;

export const occupancy = {
  type: 'object',
  properties: {
    venueId: str,
    date: str,
    inside: int,
    entriesToday: int,
    capacity,
    levels: {
      type: 'object',
      properties: {
        instant: { type: 'string', enum: ['normal', 'warning', 'full'] },
        daily: { type: 'string', enum: ['normal', 'warning', 'full'] },
      },
      required: ['instant', 'daily'],
    },
  },
  required: ['venueId', 'date', 'inside', 'entriesToday', 'capacity', 'levels'],
} as const;

const level = { type: 'string', enum: ['normal', 'warning', 'full'] } as const;

/** GET /v1/venues/:venueId/stats (docs/decisions/0135). */
export const venueStats = {
  type: 'object',
  properties: {
    venueId: str,
    date: str,
    capacity,
    warnAt: {
      type: 'object',
      description: 'Counts at which the warning share of each limit is reached (0: no limit)',
      properties: { instant: int, daily: int },
      required: ['instant', 'daily'],
    },
    occupancy: {
      type: 'object',
      properties: {
        inside: int,
        entriesToday: int,
        levels: {
          type: 'object',
          properties: { instant: level, daily: level },
          required: ['instant', 'daily'],
        },
      },
      required: ['inside', 'entriesToday', 'levels'],
    },
    hours: {
      type: 'array',
      description: 'Local hours 0-23: entries and exits counted by the gates',
      items: {
        type: 'object',
        properties: { hour: int, entries: int, exits: int },
        required: ['hour', 'entries', 'exits'],
      },
    },
    entries: {
      type: 'object',
      description: 'Entries of the day by what admitted them (annual_pass: annual-pass use)',
      properties: { annual_pass: int, reservation: int, ticket: int, none: int },
      required: ['annual_pass', 'reservation', 'ticket', 'none'],
    },
    slots: {
      type: 'array',
      description: 'Reservations per slot: places booked against the slot capacity',
      items: {
        type: 'object',
        properties: { startMin: int, endMin: int, capacity: int, booked: int, open: int },
        required: ['startMin', 'endMin', 'capacity', 'booked', 'open'],
      },
    },
    sold: { ...int, description: 'Tickets and passes sold for the day (against capacity.daily)' },
  },
  required: ['venueId', 'date', 'capacity', 'warnAt', 'occupancy', 'hours', 'entries', 'slots', 'sold'],
} as const;

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a local calendar date (undefined when not a real date). */
export function dayOf(text: string): number | undefined {
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || dateOf(ms / DAY_MS) !== text) return undefined;
  return ms / DAY_MS;
}

/** The day of a date from a request, or a 400 VENUE_BAD_DATE. */
export function dayOrThrow(text: string): number {
  const d = dayOf(text);
  if (d === undefined) throw new VenueError('VENUE_BAD_DATE', `${text} is not a calendar date`);
  return d;
}

export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function bookingJson(b: Booking, code?: string) {
  return {
    id: b.id,
    venueId: b.venueId,
    productId: b.productId,
    kind: b.kind,
    channel: b.channel,
    status: b.status,
    fromDate: dateOf(b.fromDay),
    toDate: dateOf(b.toDay),
    slotStartMin: b.slotStartMin,
    slotEndMin: b.slotEndMin,
    maxEntries: b.maxEntries,
    priceFen: b.priceFen,
    holders: b.holders.length,
    ...(code ? { code } : {}),
  };
}
