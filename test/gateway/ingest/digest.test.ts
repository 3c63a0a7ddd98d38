import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TapInput } from '../../../core/ledger.js';
import { tapDigest } from '../../../gateway/src/ingest/digest.js';

const base: TapInput = {
  operatorId: 'busco',
  deviceId: 'bus-7',
  epoch: '9f3a1c0de4b27a51',
  seq: 12,
  deviceTimeMs: Date.UTC(2026, 10, 23, 8, 0, 0),
  credential: 'card',
  cardToken: 'ab'.repeat(16),
  issuingRegion: '500228',
  routeId: 'r12',
  stopId: 's3',
  stationId: '',
  venueId: '',
  direction: 'board',
  edgeDecision: 'allow',
  edgeReason: 'OK',
  offline: false,
};

describe('tap content digest (docs/decisions/0175)', () => {
  it('is 16 hex characters, the same for the same content (a resend)', () => {
    expect(tapDigest(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(tapDigest({ ...base })).toBe(tapDigest(base));
  });

  it('does not depend on the key itself: device, epoch and seq are what it is compared under', () => {
    expect(tapDigest({ ...base, seq: 13, epoch: 'fedcba9876543210', deviceId: 'bus-8' })).toBe(
      tapDigest(base),
    );
  });

  it.each<[string, Partial<TapInput>]>([
    ['card', { cardToken: 'cd'.repeat(16) }],
    ['time', { deviceTimeMs: base.deviceTimeMs + 1 }],
    ['credential', { credential: 'qr' }],
    ['region', { issuingRegion: '110000' }],
    ['route', { routeId: 'r13' }],
    ['stop', { stopId: 's4' }],
    ['station', { stationId: 'st1' }],
    ['venue', { venueId: 'v1' }],
    ['direction', { direction: 'entry' }],
    ['decision', { edgeDecision: 'deny' }],
    ['reason', { edgeReason: 'CARD_LOST' }],
    ['offline flag', { offline: true }],
    ['entitlement', { entitlementId: 'tkt-1' }],
  ])('differs when the %s differs', (_name, change) => {
    expect(tapDigest({ ...base, ...change })).not.toBe(tapDigest(base));
  });

  it('keeps fields apart: a value moved from one field to the next is another content', () => {
    expect(tapDigest({ ...base, routeId: 'r12', stopId: '' })).not.toBe(
      tapDigest({ ...base, routeId: '', stopId: 'r12' }),
    );
  });

  it('is the stored value of before: the first 16 hex of SHA-256 over the 13 fields joined by newlines (0175)', () => {
    // A claim in Redis or SQLite holds this value; a change would make every resend a conflict.
    expect(tapDigest(base)).toBe('edab7c9d41d06865');
  });

  it('is the join of the fields for 2,000 seeded taps, whose shared fields change now and then between one and the next (0221: the fields after the card token are joined once while they stay the same)', () => {
    let seed = 221;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const joined = (t: TapInput) =>
      createHash('sha256')
        .update(
          [
            t.deviceTimeMs,
            t.credential,
            t.cardToken,
            t.issuingRegion,
            t.routeId,
            t.stopId,
            t.stationId,
            t.venueId,
            t.direction,
            t.edgeDecision,
            t.edgeReason,
            t.offline ? 1 : 0,
            t.entitlementId ?? '',
          ].join('\n'),
        )
        .digest('hex')
        .slice(0, 16);
    let t: TapInput = base;
    for (let i = 0; i < 2_000; i++) {
      // Now and then what validation would refuse, or what the in-place writing (0240) does not
      // take and hands to the string way: a time that is not a whole number ≥ 0, a card token
      // or credential that is not ASCII, a tail past the scratch buffer's room.
      const change: Partial<TapInput> = {
        seq: i,
        deviceTimeMs:
          next() < 0.05 ? pick([-1, 0, 1.5, 2 ** 60, 9, 10, Number.MAX_SAFE_INTEGER]) : base.deviceTimeMs + i,
        cardToken: next() < 0.03 ? pick(['票'.repeat(32), 'x'.repeat(200)]) : pick(['ab', 'cd']).repeat(16),
      };
      if (next() < 0.02) change.credential = '卡' as TapInput['credential'];
      if (next() < 0.1) change.issuingRegion = pick(['500228', '110000', '']);
      if (next() < 0.1) change.routeId = pick(['r12', 'r13', '', '票价', 'r'.repeat(600), '路'.repeat(700)]);
      if (next() < 0.1) change.stopId = pick(['s3', '']);
      if (next() < 0.1) change.stationId = pick(['st1', '']);
      if (next() < 0.1) change.venueId = pick(['v1', '']);
      if (next() < 0.1) change.direction = pick(['board', 'entry', 'exit'] as const);
      if (next() < 0.1) change.edgeDecision = pick(['allow', 'deny'] as const);
      if (next() < 0.1) change.edgeReason = pick(['OK', 'CARD_LOST'] as const);
      if (next() < 0.1) change.offline = !t.offline;
      if (next() < 0.1) change.credential = pick(['card', 'qr'] as const);
      t = { ...t, ...change };
      const entitlement = next();
      if (entitlement < 0.1) t = { ...t, entitlementId: pick(['tkt-1', '']) };
      else if (entitlement < 0.2) {
        const { entitlementId: _dropped, ...without } = t;
        t = without;
      }
      // The same content as other string objects (a new batch decodes new strings).
      const copy = next() < 0.1 ? { ...t, routeId: [...t.routeId].join('') } : t;
      expect(tapDigest(copy)).toBe(joined(t));
    }
  });
});
