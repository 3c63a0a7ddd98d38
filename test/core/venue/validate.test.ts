import { describe, expect, it } from 'vitest';
import { parseVenue } from '../../../core/venue/validate.js';

const museum = {
  id: 'm',
  name: 'Museum',
  kind: 'museum',
  operatorId: 'op',
  openMin: 540,
  closeMin: 1020,
  slots: [{ startMin: 540, endMin: 660, capacity: 10 }],
  booking: { seniorWalkInQuota: 2 },
  products: [{ id: 'visit', name: 'Visit', kind: 'reservation', priceFen: 0 }],
};

describe('reading a venue definition', () => {
  it('fills defaults: booking rules, an 80 % warning share, single-use day products', () => {
    const { venue, problems } = parseVenue(museum);
    expect(problems).toEqual([]);
    expect(venue?.booking).toEqual({
      horizonDays: 7,
      maxParty: 5,
      seniorWalkInQuota: 2,
      closeBeforeEndMin: 0,
      noShowLimit: 3,
      noShowWindowDays: 90,
      blockDays: 30,
    });
    expect(venue?.capacity).toEqual({ daily: 0, instant: 0, warnShare: 0.8 });
    expect(venue?.products[0]).toMatchObject({ validityDays: 1, maxEntries: 1, freeFor: [] });
  });

  it('an annual pass defaults to a year with unlimited entries', () => {
    const { venue } = parseVenue({
      ...museum,
      kind: 'scenic',
      slots: [],
      products: [{ id: 'p', name: 'Pass', kind: 'annual_pass', priceFen: 12000 }],
    });
    expect(venue?.products[0]).toMatchObject({ validityDays: 365, maxEntries: 0 });
  });

  it('a 31-day ticket is the longest single-use product; a pass may run 10 years', () => {
    const { problems } = parseVenue({
      ...museum,
      kind: 'scenic',
      slots: [],
      products: [
        { id: 't', name: 'Month ticket', kind: 'ticket', priceFen: 9000, validityDays: 31 },
        { id: 'p', name: 'Pass', kind: 'annual_pass', priceFen: 12000, validityDays: 3660 },
      ],
    });
    expect(problems).toEqual([]);
  });

  it.each([
    ['not an object', [], 'a venue is a JSON object'],
    ['an unknown kind', { ...museum, kind: 'zoo' }, 'kind must be one of library, museum, scenic, got zoo'],
    ['a bad id', { ...museum, id: 'a b' }, 'id must be an id'],
    [
      'overlapping slots',
      { ...museum, slots: [museum.slots[0], { startMin: 600, endMin: 700, capacity: 5 }] },
      'slots[1] overlaps or precedes slots[0]',
    ],
    [
      'a slot outside the opening hours',
      { ...museum, slots: [{ startMin: 480, endMin: 600, capacity: 5 }] },
      'slots[0].startMin must be a whole number from 540 to 1439, got 480',
    ],
    [
      'a fractional price',
      { ...museum, products: [{ ...museum.products[0], priceFen: 1.5 }] },
      'products[0].priceFen must be a whole number from 0 to 10000000, got 1.5',
    ],
    [
      'an unknown concession',
      { ...museum, products: [{ ...museum.products[0], freeFor: ['VIP'] }] },
      'products[0].freeFor must list concessions among SENIOR, DISABLED, STUDENT',
    ],
    [
      'a warning share above 1',
      { ...museum, capacity: { warnShare: 80 } },
      'capacity.warnShare must be a number above 0 and at most 1, got 80',
    ],
    [
      'a senior quota above a slot',
      { ...museum, booking: { seniorWalkInQuota: 11 } },
      'booking.seniorWalkInQuota exceeds the capacity of slots[0]',
    ],
    ['a museum without slots', { ...museum, slots: [] }, 'a museum needs slots'],
    [
      'a reservation at a library',
      { ...museum, kind: 'library', slots: [] },
      'reservation products need a museum with slots',
    ],
    [
      'a ticket for two entries',
      { ...museum, products: [{ ...museum.products[0], maxEntries: 2 }] },
      'products[0].maxEntries must be 1 for a reservation (tickets and reservations are single-use)',
    ],
    [
      // Its last day would be beyond what the gateway takes on a tap (MAX_ENTITLEMENT_DAYS, 0215).
      'a single-use product valid over 31 days',
      { ...museum, products: [{ ...museum.products[0], validityDays: 32 }] },
      'products[0].validityDays must be a whole number from 1 to 31, got 32',
    ],
    [
      'two products with one id',
      { ...museum, products: [museum.products[0], museum.products[0]] },
      'product ids must be unique',
    ],
  ])('%s is refused with a readable problem', (_, raw, problem) => {
    const { venue, problems } = parseVenue(raw);
    expect(venue).toBeUndefined();
    expect(problems.some((p) => p.startsWith(problem))).toBe(true);
  });
});
