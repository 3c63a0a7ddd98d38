// The pure parts of `redis:drop-records` (docs/decisions/0212): the ids it names are masked, and
// its arguments are whole numbers in range or a USAGE refusal.
import { describe, expect, it } from 'vitest';
import { parseDropArgs } from '../../../gateway/src/store/redis-drop-command.js';
import { maskRecordId } from '../../../gateway/src/store/redis-drop-records.js';
import { token } from './fixtures.js';

describe('maskRecordId', () => {
  it('shows a tap id as it is: a device, an epoch and a seq', () => {
    expect(maskRecordId('tap:bus-7:9f3a1c0de4b27a51:12')).toBe('tap:bus-7:9f3a1c0de4b27a51:12');
  });

  it('never shows a card token in full, nor a long number', () => {
    const id = `sweep:${token(0x1234)}:1750000000000`;
    expect(maskRecordId(id)).toBe(`sweep:${token(0x1234).slice(0, 4)}…:…000`);
    expect(maskRecordId('topup:6222021234567890128')).toBe('topup:…128');
  });

  it('shows nothing of an id still shaped like a card number', () => {
    expect(maskRecordId('topup:A12345678')).toBe('…');
  });
});

describe('parseDropArgs', () => {
  it('defaults: no dry run, nothing held back by age, pages of 200, no page limit', () => {
    expect(parseDropArgs([])).toEqual({ dryRun: false, olderThanDays: 0, pageSize: 200 });
    expect(
      parseDropArgs(['--dry-run', '--older-than-days', '9', '--page', '50', '--max-pages', '3']),
    ).toEqual({
      dryRun: true,
      olderThanDays: 9,
      pageSize: 50,
      maxPages: 3,
    });
  });

  it.each([[['--page', '1001']], [['--older-than-days', '-1']], [['--max-pages', '1.5']], [['extra']]])(
    'refuses %o with USAGE',
    (argv) => {
      expect(() => parseDropArgs(argv)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    },
  );
});
