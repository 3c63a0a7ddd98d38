// List record bodies: layouts per kind, validation before anything is applied, round trips.
import { describe, expect, it } from 'vitest';
import type { Entitlement } from '../../../core/facts.js';
import {
  bodyProblem,
  encodeEntitlementRecord,
  encodeRegionRecords,
  encodeTokenRecords,
  forEachEntitlement,
  forEachRegion,
} from '../../../core/lists/records.js';

const T = 'ab'.repeat(16);
const ent: Entitlement = {
  kind: 'reservation',
  venueId: 'museum-1',
  id: '预约-42',
  fromDay: 20_415,
  toDay: 20_415,
  slotStartMin: 600,
  slotEndMin: 660,
  maxEntries: 1,
};

describe('list record bodies', () => {
  it.each<[string, Parameters<typeof bodyProblem>[0], Buffer, string | undefined]>([
    ['deny records', 'deny', encodeTokenRecords([{ token: T, value: 3 }]), undefined],
    [
      'a deny code out of range',
      'deny',
      encodeTokenRecords([{ token: T, value: 4 }]),
      'record 0 has deny code 4',
    ],
    [
      'a cut deny record',
      'deny',
      encodeTokenRecords([{ token: T, value: 1 }]).subarray(0, 16),
      '16 bytes is not a whole number of 17-byte records',
    ],
    ['any flags byte', 'flags', encodeTokenRecords([{ token: T, value: 255 }]), undefined],
    ['an empty body', 'flags', Buffer.alloc(0), undefined],
    ['regions', 'regions', encodeRegionRecords([{ region: '500228', recognised: false }]), undefined],
    [
      'a region that is not digits',
      'regions',
      Buffer.from('50022A\u0001'),
      'record 0 is not a 6-digit region',
    ],
    ['a region op out of range', 'regions', Buffer.from('500228\u0002'), 'record 0 has op 2'],
    ['an entitlement', 'entitlements', encodeEntitlementRecord(T, ent), undefined],
    [
      'a cut entitlement',
      'entitlements',
      encodeEntitlementRecord(T, ent).subarray(0, 40),
      'record 0: id length',
    ],
  ])('%s → %s', (_what, kind, body, problem) => {
    expect(bodyProblem(kind, body)).toBe(problem);
  });

  it('refuses an entitlement whose slot ends past midnight', () => {
    const body = encodeEntitlementRecord(T, ent);
    body.writeUInt16BE(1441, 28);
    expect(bodyProblem('entitlements', body)).toBe('record 0: slot is not within a day');
  });

  it('round-trips regions and entitlements (ids in UTF-8)', () => {
    const seen: Array<[string, boolean]> = [];
    forEachRegion(encodeRegionRecords([{ region: '110000', recognised: true }]), (r, ok) =>
      seen.push([r, ok]),
    );
    expect(seen).toEqual([['110000', true]]);
    const got: unknown[] = [];
    forEachEntitlement(
      Buffer.concat([encodeEntitlementRecord(T, ent), encodeEntitlementRecord(T, ent, true)]),
      (token, put, e) => got.push([token, put, e.id, e.slotStartMin]),
    );
    expect(got).toEqual([
      [T, true, '预约-42', 600],
      [T, false, '预约-42', 600],
    ]);
  });
});
