import { describe, expect, it } from 'vitest';
import { tapRecordId } from '../../../core/ledger.js';
import { createRecordDeduper } from '../../../gateway/src/kafka/dedupe.js';

describe('createRecordDeduper', () => {
  it('reports a record id as new the first time and as seen every time after', () => {
    const dedupe = createRecordDeduper(10);
    expect(dedupe.seen('tap:dev-1:1')).toBe(false);
    expect(dedupe.seen('tap:dev-1:1')).toBe(true);
    expect(dedupe.seen('tap:dev-1:1')).toBe(true);
    expect(dedupe.seen('tap:dev-1:2')).toBe(false);
  });

  it('keeps one of each record when a stream delivers some twice', () => {
    const dedupe = createRecordDeduper(100);
    const delivered = ['topup:a', 'tap:d:1', 'tap:d:2', 'tap:d:1', 'tap:d:2', 'tap:d:3', 'topup:a'];
    const applied = delivered.filter((id) => !dedupe.seen(id));
    expect(applied).toEqual(['topup:a', 'tap:d:1', 'tap:d:2', 'tap:d:3']);
  });

  it('keeps the taps of one seq under two journal epochs apart: a device that lost its journal', () => {
    const dedupe = createRecordDeduper(10);
    const before = tapRecordId({ deviceId: 'dev-1', epoch: '0123456789abcdef', seq: 1 });
    const after = tapRecordId({ deviceId: 'dev-1', epoch: 'fedcba9876543210', seq: 1 });
    const legacy = tapRecordId({ deviceId: 'dev-1', seq: 1 });
    expect([before, after, legacy, before, after].map((id) => dedupe.seen(id))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it('remembers at most maxKeys ids, forgetting the least recently seen first', () => {
    const dedupe = createRecordDeduper(2);
    dedupe.seen('a');
    dedupe.seen('b');
    dedupe.seen('a'); // a is now more recent than b
    dedupe.seen('c'); // evicts b
    expect(dedupe.size).toBe(2);
    expect(dedupe.seen('a')).toBe(true);
    expect(dedupe.seen('b')).toBe(false);
  });

  it('refuses a window that is not a positive integer', () => {
    expect(() => createRecordDeduper(0)).toThrow('maxKeys must be a positive integer, got 0');
    expect(() => createRecordDeduper(1.5)).toThrow('maxKeys must be a positive integer, got 1.5');
  });
});
