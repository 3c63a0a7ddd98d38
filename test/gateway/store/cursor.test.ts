import { describe, expect, it } from 'vitest';
import {
  compareIds,
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  isAfter,
  newestFirst,
} from '../../../gateway/src/store/cursor.js';

describe('record cursors', () => {
  it('round-trip a position whose id holds colons', () => {
    const key = { at: 1_750_000_000_123, id: 'tap:bus:7:42' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
  });

  it('are URL-safe base64 of "at:id"', () => {
    expect(encodeCursor({ at: 5, id: 'x?' })).toBe(Buffer.from('5:x?').toString('base64url'));
  });

  it.each([
    '',
    'bm90LWEtY3Vyc29y',
    Buffer.from(':id').toString('base64url'),
    Buffer.from('12:').toString('base64url'),
  ])('refuse %j with a 400 BAD_CURSOR error', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(cursor)).toThrow(
      expect.objectContaining({ statusCode: 400, code: 'BAD_CURSOR' }),
    );
  });
});

describe('newest-first order', () => {
  it('puts later records first, and equal times by id descending', () => {
    const keys = [
      { at: 1, id: 'a' },
      { at: 2, id: 'a' },
      { at: 2, id: 'b' },
    ];
    expect([...keys].sort(newestFirst)).toEqual([keys[2], keys[1], keys[0]]);
    expect(isAfter({ at: 2, id: 'a' }, { at: 2, id: 'b' })).toBe(true);
    expect(isAfter({ at: 2, id: 'b' }, { at: 2, id: 'b' })).toBe(false);
  });

  it('compares ids by UTF-8 bytes, as SQLite and Redis do, not by UTF-16 units', () => {
    // U+FF61 is one UTF-16 unit above the surrogate of U+1F600, but its UTF-8 bytes are lower.
    expect('\uff61' > '\u{1f600}').toBe(true);
    expect(compareIds('\uff61', '\u{1f600}')).toBeLessThan(0);
  });
});
