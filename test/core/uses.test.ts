import { describe, expect, it } from 'vitest';
import { localDay } from '../../core/time.js';
import {
  decodeUses,
  type EntitlementUse,
  encodeUses,
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

  it('drops counts past their last day when the card is next used, and starts an expired one afresh', () => {
    const uses = withUse(withUse([], 'old', t0, t0), 'kept', t0 + 5 * DAY_MS, t0 + 5 * DAY_MS);
    const later = t0 + (USE_KEEP_DAYS + 1) * DAY_MS;
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
