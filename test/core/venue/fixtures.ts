import { ConcessionFlag } from '../../../core/card.js';
import type { BookRequest } from '../../../core/venue/booking.js';
import type { Venue } from '../../../core/venue/model.js';

/** 2026-11-23 in China (day 20780); minute m after local midnight. */
export const DAY = 20780;
export const at = (day: number, minute: number) => (day * 1440 + minute) * 60_000 - 8 * 3600_000;

export const museum: Venue = {
  id: 'museum',
  name: 'Museum',
  kind: 'museum',
  operatorId: 'op',
  openMin: 540,
  closeMin: 1020,
  slots: [
    { startMin: 540, endMin: 660, capacity: 10 },
    { startMin: 660, endMin: 780, capacity: 10 },
  ],
  booking: {
    horizonDays: 7,
    maxParty: 3,
    seniorWalkInQuota: 2,
    closeBeforeEndMin: 30,
    noShowLimit: 3,
    noShowWindowDays: 90,
    blockDays: 30,
  },
  capacity: { daily: 0, instant: 15, warnShare: 0.8 },
  products: [
    {
      id: 'visit',
      name: 'Visit',
      kind: 'reservation',
      priceFen: 0,
      freeFor: [],
      validityDays: 1,
      maxEntries: 1,
    },
  ],
  entryRules: {},
  gates: {},
};

export const scenic: Venue = {
  id: 'park',
  name: 'Park',
  kind: 'scenic',
  operatorId: 'parks',
  openMin: 390,
  closeMin: 1140,
  slots: [],
  booking: { ...museum.booking!, maxParty: 5 },
  capacity: { daily: 100, instant: 10, warnShare: 0.8 },
  products: [
    {
      id: 'day',
      name: 'Day ticket',
      kind: 'ticket',
      priceFen: 3000,
      freeFor: ['SENIOR', 'DISABLED'],
      validityDays: 1,
      maxEntries: 1,
    },
    {
      id: 'pass',
      name: 'Annual pass',
      kind: 'annual_pass',
      priceFen: 12000,
      freeFor: [],
      validityDays: 365,
      maxEntries: 0,
    },
  ],
  entryRules: {},
  gates: {},
};

export const A = 'a'.repeat(32);
export const B = 'b'.repeat(32);
export const C = 'c'.repeat(32);
export const D = 'd'.repeat(32);
export const SENIOR = ConcessionFlag.SENIOR;

export function request(over: Partial<BookRequest> = {}): BookRequest {
  return {
    id: 'bk1',
    productId: 'visit',
    day: DAY + 1,
    slotStartMin: 540,
    payerToken: A,
    holders: [{ token: A, flags: 0 }],
    channel: 'online',
    ...over,
  };
}
