import { describe, expect, it } from 'vitest';
import { localDay, localMinute } from '../../core/time.js';

describe('local (UTC+8) calendar', () => {
  it.each([
    // [instant, local day, minute after local midnight]
    ['1970-01-01T00:00:00Z', 0, 480],
    ['1970-01-01T15:59:59Z', 0, 1439],
    ['1970-01-01T16:00:00Z', 1, 0],
    ['2026-11-23T01:30:00Z', 20780, 570],
    ['1969-12-31T15:59:00Z', -1, 1439],
  ])('%s is local day %i, minute %i', (iso, day, minute) => {
    const ms = Date.parse(iso);
    expect(localDay(ms)).toBe(day);
    expect(localMinute(ms)).toBe(minute);
  });
});
