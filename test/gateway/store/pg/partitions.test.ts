// Day partition names: UTC days, readable and sortable, and read back to the same day.
import { describe, expect, it } from 'vitest';
import { DAY_MS, dayOf, dayOfPartition, partitionName } from '../../../../gateway/src/store/pg/partitions.js';

describe('history day partitions', () => {
  it('name a UTC day records_dYYYYMMDD and read the day back from the name', () => {
    const at = Date.parse('2026-12-04T23:59:59.999Z');
    expect(partitionName(dayOf(at))).toBe('records_d20261204');
    expect(partitionName(dayOf(at + 1))).toBe('records_d20261205');
    expect(dayOfPartition('records_d20261204')).toBe(dayOf(at));
    expect(dayOf(at) * DAY_MS).toBe(Date.parse('2026-12-04T00:00:00Z'));
  });

  it('ignore tables that are not day partitions', () => {
    expect(dayOfPartition('records')).toBeUndefined();
    expect(dayOfPartition('records_d2026120')).toBeUndefined();
    expect(dayOfPartition('ride_stats')).toBeUndefined();
  });
});
