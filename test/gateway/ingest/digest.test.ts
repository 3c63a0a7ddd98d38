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
});
