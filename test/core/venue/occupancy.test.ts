import { describe, expect, it } from 'vitest';
import { level, occupancyLevels, risenLevel, slotAvailability } from '../../../core/venue/occupancy.js';

const capacity = { daily: 100, instant: 10, warnShare: 0.8 };

describe('occupancy against the carrying capacity', () => {
  it.each([
    [0, 10, 'normal'],
    [7, 10, 'normal'],
    [8, 10, 'warning'],
    [9, 10, 'warning'],
    [10, 10, 'full'],
    [11, 10, 'full'],
    [1_000, 0, 'normal'],
  ])('%i inside of %i is %s', (count, limit, expected) => {
    expect(level(count, limit, 0.8)).toBe(expected);
  });

  it('a share that does not divide evenly warns at the next whole visitor', () => {
    expect(level(5, 7, 0.8)).toBe('normal');
    expect(level(6, 7, 0.8)).toBe('warning');
  });

  it.each([
    [
      'rising into the warning share',
      { inside: 7, entriesToday: 7 },
      { inside: 8, entriesToday: 8 },
      'warning',
    ],
    ['staying in it', { inside: 8, entriesToday: 8 }, { inside: 9, entriesToday: 9 }, undefined],
    ['reaching the capacity', { inside: 9, entriesToday: 9 }, { inside: 10, entriesToday: 10 }, 'full'],
    ['leaving', { inside: 10, entriesToday: 10 }, { inside: 9, entriesToday: 10 }, undefined],
    [
      'the day reaching 80 of 100',
      { inside: 2, entriesToday: 79 },
      { inside: 3, entriesToday: 80 },
      'warning',
    ],
  ])('%s raises %s', (_, before, after, expected) => {
    expect(risenLevel(capacity, before, after)).toBe(expected);
  });

  it('reports both limits', () => {
    expect(occupancyLevels(capacity, { inside: 10, entriesToday: 50 })).toEqual({
      instant: 'full',
      daily: 'normal',
    });
  });

  it.each([
    [0, 8, 10],
    [7, 1, 3],
    [8, 0, 2],
    [10, 0, 0],
  ])(
    'a slot of 10 with a senior quota of 2 and %i booked: %i open, %i for seniors walking in',
    (booked, open, senior) => {
      expect(slotAvailability({ startMin: 540, endMin: 660, capacity: 10 }, 2, booked)).toMatchObject({
        booked,
        open,
        seniorWalkIn: senior,
      });
    },
  );
});
