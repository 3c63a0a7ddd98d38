// QR scans through the device's verifier: what the code proves → the entry rules → journal
// (credential QR). How each device kind decides is in rules.test.ts.
import { describe, expect, it } from 'vitest';
import { QR_PREFIX, rawPublicKey } from '../../../core/credentials/index.js';
import { app, NOW, rotatedIssuer, ticket } from '../../core/credentials/fixtures.js';

import { device, TOKEN } from './support.js';

const bus = { profile: 'bus_validator', routeId: 'r12', venueId: '' } as const;

describe('QR scans on the device, offline', () => {
  it('a dynamic code is decided as its card: journaled as credential QR with the token, region and concession', () => {
    const d = device(bus);
    expect(d.scan(app().code(NOW))).toMatchObject({
      seq: 1,
      decision: 'allow',
      display: { en: 'Free ride (concession)' },
    });
    expect(d.journal.range(1, 1)[0]).toMatchObject({
      credential: 'qr',
      cardToken: TOKEN,
      issuingRegion: '500228',
      routeId: 'r12',
      decision: 'allow',
      reason: 'CONCESSION_FREE',
      concession: 'senior_free',
      offline: true,
    });
  });

  it('a valid code of a card on the deny list is refused for the deny reason', () => {
    const d = device(bus, { holders: { [TOKEN]: { deny: 'lost' } } });
    expect(d.scan(app().code(NOW))?.decision).toBe('deny');
    expect(d.journal.range(1, 1)[0]).toMatchObject({
      reason: 'CARD_LOST',
      cardToken: TOKEN,
      concession: 'none',
    });
  });

  it("a code from a region the device does not recognise is refused like the card's tap", () => {
    const d = device(bus, { regions: ['110000'] });
    expect(d.scan(app().code(NOW))?.decision).toBe('deny');
    expect(d.journal.range(1, 1)[0]).toMatchObject({ reason: 'REGION_NOT_RECOGNISED', cardToken: TOKEN });
  });

  it('the same code twice: the second scan is refused as replayed', () => {
    const d = device(bus);
    const code = app().code(NOW);
    d.scan(code);
    expect(d.scan(code)).toMatchObject({ decision: 'deny', display: { zh: '二维码已使用，请刷新' } });
    expect(d.journal.range(2, 1)[0]).toMatchObject({ reason: 'QR_REPLAYED', cardToken: TOKEN });
  });

  it('a code whose issuer key was rotated out of the config is refused', () => {
    const d = device({ qrIssuerKeys: `2:${rawPublicKey(rotatedIssuer.publicKey).toString('hex')}` });
    d.scan(app().code(NOW));
    expect(d.journal.range(1, 1)[0]).toMatchObject({
      decision: 'deny',
      reason: 'QR_UNKNOWN_KEY',
      cardToken: '0'.repeat(32),
    });
  });

  it('with no issuer keys configured every code is refused', () => {
    const d = device({ qrIssuerKeys: '' });
    expect(d.scan(app().code(NOW))?.decision).toBe('deny');
  });

  it('a reservation admits once, journaled with its entitlement; the second scan is refused as used', () => {
    const d = device();
    const t = ticket();
    expect(d.scan(t)?.decision).toBe('allow');
    expect(d.scan(t)?.decision).toBe('deny');
    const [first, second] = d.journal.range(1, 2);
    expect(first).toMatchObject({
      credential: 'qr',
      cardToken: TOKEN,
      venueId: 'museum-1',
      reason: 'RESERVATION_ADMITTED',
      entitlementId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(second).toMatchObject({ credential: 'qr', cardToken: TOKEN, reason: 'QR_TICKET_USED' });
    expect(second).not.toHaveProperty('entitlementId');
  });

  it.each([
    ['refuse', 'deny', 'QR_NEEDS_ONLINE_CHECK'],
    ['admit', 'allow', 'QR_ADMITTED_UNCHECKED'],
  ] as const)(
    "an outside issuer's code while offline follows the venue policy (%s)",
    (policy, decision, reason) => {
      const d = device({ qrOfflinePolicy: policy });
      expect(d.scan('HSA:0123456789')?.decision).toBe(decision);
      const entry = d.journal.range(1, 1)[0]!;
      expect(entry).toMatchObject({ credential: 'qr', decision, reason, offline: true });
      expect(entry.cardToken).toMatch(/^[0-9a-f]{32}$/);
      expect(entry.cardToken).not.toBe('0'.repeat(32));
    },
  );

  it('random and mutated scans never open the gate and never throw', () => {
    const d = device({ ...bus, qrOfflinePolicy: 'admit' });
    let r = 12345;
    const next = () => {
      r = (Math.imul(r, 1103515245) + 12345) >>> 0;
      return r;
    };
    const genuine = app().code(NOW);
    for (let i = 0; i < 500; i++) {
      const len = next() % 400;
      let text = i % 2 ? QR_PREFIX : '';
      for (let k = 0; k < len; k++) text += String.fromCharCode(32 + (next() % 90));
      if (i % 5 === 0) {
        const at = next() % genuine.length;
        text = genuine.slice(0, at) + (genuine[at] === 'A' ? 'B' : 'A') + genuine.slice(at + 1);
      }
      expect(d.scan(text)?.decision, text.slice(0, 40)).toBe('deny');
    }
    expect(d.events.every((e) => e.decision === 'deny')).toBe(true);
  });
});
