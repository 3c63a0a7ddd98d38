// What one counted passage adds to its venue's day, and how the day reads back.
import { describe, expect, it } from 'vitest';
import { dayCounts, passageFields } from '../../../gateway/src/stats/venues.js';

describe('venue passage counters', () => {
  it.each([
    [{ direction: 'entry', hour: 9, kind: 'annual_pass' }, ['he:9', 'k:annual_pass']],
    [{ direction: 'entry', hour: 0, kind: 'none' }, ['he:0', 'k:none']],
    [{ direction: 'exit', hour: 23, kind: 'ticket' }, ['hx:23']],
  ] as const)('%o adds 1 to %o', (p, fields) => {
    expect(passageFields(p)).toEqual(fields);
  });

  it.each([-1, 24, 1.5])('refuses hour %d', (hour) => {
    expect(() => passageFields({ direction: 'entry', hour, kind: 'none' })).toThrow(RangeError);
  });

  it('reads 24 hours in order with zeros, and entries per kind, ignoring unknown fields', () => {
    const c = dayCounts(
      new Map([
        ['he:9', 3],
        ['hx:9', 1],
        ['k:annual_pass', 2],
        ['k:none', 1],
        ['i', 2],
        ['e', 3],
      ]),
    );
    expect(c.hours).toHaveLength(24);
    expect(c.hours[9]).toEqual({ hour: 9, entries: 3, exits: 1 });
    expect(c.hours[8]).toEqual({ hour: 8, entries: 0, exits: 0 });
    expect(c.entries).toEqual({ annual_pass: 2, reservation: 0, ticket: 0, none: 1 });
  });
});
