import { describe, expect, it } from 'vitest';
import { localDay } from '../../core/time.js';
import {
  decodeUses,
  type EntitlementUse,
  encodeUses,
  LATE_UPLOAD_DAYS,
  MAX_KEPT_USES,
  USE_KEEP_DAYS,
  usesOf,
  withUse,
} from '../../core/uses.js';

const DAY_MS = 24 * 3600_000;
const t0 = Date.UTC(2026, 10, 23, 2, 0, 0);
const day0 = localDay(t0);

describe('entitlement uses in the card state', () => {
  it('counts uses of one entitlement and keeps the count USE_KEEP_DAYS after its last use', () => {
    const once = withUse([], 't1', t0, t0);
    const twice = withUse(once, 't1', t0 + DAY_MS, t0 + DAY_MS);
    expect(twice).toEqual([['t1', 2, day0 + 1 + USE_KEEP_DAYS]]);
    expect(usesOf(twice, 't1', t0 + (1 + USE_KEEP_DAYS) * DAY_MS)).toBe(2);
    expect(usesOf(twice, 't1', t0 + (2 + USE_KEEP_DAYS) * DAY_MS)).toBe(0);
    expect(usesOf(twice, 't2', t0)).toBe(0);
  });

  it('drops counts LATE_UPLOAD_DAYS past their last day when the card is next used, and starts an expired one afresh', () => {
    const uses = withUse(withUse([], 'old', t0, t0), 'kept', t0 + 5 * DAY_MS, t0 + 5 * DAY_MS);
    const later = t0 + (USE_KEEP_DAYS + LATE_UPLOAD_DAYS + 1) * DAY_MS;
    expect(withUse(uses, 'new', later, later).map(([id]) => id)).toEqual(['new', 'kept']);
    expect(withUse(uses, 'old', later, later)).toEqual([
      ['old', 1, localDay(later) + USE_KEEP_DAYS],
      ['kept', 1, day0 + 5 + USE_KEEP_DAYS],
    ]);
  });

  it('keeps a count a late offline tap still needs: the prune takes the earlier of its day and today', () => {
    const uses = withUse([], 't1', t0, t0);
    const late = t0 + (USE_KEEP_DAYS + 3) * DAY_MS;
    // A tap from the ticket's day, arriving long after, still finds the first use.
    expect(withUse(uses, 't2', t0 + DAY_MS, late).map(([id]) => id)).toEqual(['t2', 't1']);
  });

  describe("kept until the entitlement's last day when the tap says it (0215)", () => {
    const at = (d: number) => t0 + d * DAY_MS;
    // [case, to_day (days after day 0; null: not sent), day of the second tap, count it finds]
    const cases: Array<[string, number | null, number, number]> = [
      ['a 30-day ticket reused on day 20', 29, 20, 1],
      ['a 30-day ticket reused on its last day', 29, 29, 1],
      ['a 30-day ticket the day after its last', 29, 30, 0],
      ['a 1-day ticket the same day', 0, 0, 1],
      ['a 1-day ticket the day after', 0, 1, 0],
      ['to_day not sent: USE_KEEP_DAYS as before', null, USE_KEEP_DAYS, 1],
      ['to_day not sent: gone after USE_KEEP_DAYS', null, USE_KEEP_DAYS + 1, 0],
    ];
    it.each(cases)('%s', (_, toDay, second, found) => {
      const uses = withUse([], 't1', t0, t0, toDay === null ? 0 : day0 + toDay);
      expect(usesOf(uses, 't1', at(second))).toBe(found);
    });

    it('keeps a count at least to the tap day, and never shortens one', () => {
      // A last day before the tap's (a device a day off) keeps the count for the tap's day.
      expect(withUse([], 't1', t0, t0, day0 - 1)).toEqual([['t1', 1, day0]]);
      const long = withUse([], 't1', t0, t0, day0 + 29);
      expect(withUse(long, 't1', at(1), at(1), day0 + 3)).toEqual([['t1', 2, day0 + 29]]);
    });

    it("keeps a 1-day ticket's count LATE_UPLOAD_DAYS for a late offline tap, then drops it", () => {
      const uses = withUse([], 'day-ticket', t0, t0, day0);
      // The card visits a museum the next day; the ticket's count stays for a late upload...
      const next = withUse(uses, 'museum', at(1), at(1), day0 + 1);
      expect(next).toEqual([
        ['museum', 1, day0 + 1],
        ['day-ticket', 1, day0],
      ]);
      // ...which arrives on day 3 from a gate that was offline on the ticket's day: marked.
      expect(usesOf(next, 'day-ticket', t0)).toBe(1);
      // Written on the last day of that allowance it stays; the day after, it goes.
      const lastKept = at(LATE_UPLOAD_DAYS);
      expect(withUse(next, 'museum', lastKept, lastKept, day0 + LATE_UPLOAD_DAYS).map(([id]) => id)).toEqual([
        'museum',
        'day-ticket',
      ]);
      const gone = at(LATE_UPLOAD_DAYS + 1);
      expect(withUse(next, 'museum', gone, gone, day0 + LATE_UPLOAD_DAYS + 1).map(([id]) => id)).toEqual([
        'museum',
      ]);
    });
  });

  it('keeps at most MAX_KEPT_USES, the most recently used first', () => {
    let uses: EntitlementUse[] = [];
    for (let i = 0; i < MAX_KEPT_USES + 5; i++) uses = withUse(uses, `e${i}`, t0, t0);
    expect(uses).toHaveLength(MAX_KEPT_USES);
    expect(uses[0]![0]).toBe(`e${MAX_KEPT_USES + 4}`);
  });

  it('round-trips through the stores and tells a card from before 0203 by no value', () => {
    const uses = withUse([], 'tick"et', t0, t0);
    expect(decodeUses(encodeUses(uses), 'card x')).toEqual(uses);
    expect(decodeUses(null, 'card x')).toBeUndefined();
    expect(decodeUses('', 'card x')).toBeUndefined();
    expect(() => decodeUses('[["a",1]]', 'card x')).toThrow(
      'card x: entitlement uses are not [id, entries, day] triples',
    );
  });
});
