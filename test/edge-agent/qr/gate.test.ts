// QR scans through the device's verifier: verify offline → decision → journal (credential QR).
import { describe, expect, it } from 'vitest';
import { QR_PREFIX, rawPublicKey } from '../../../core/credentials/index.js';
import { app, NOW, rotatedIssuer, ticket } from '../../core/credentials/fixtures.js';

import { device, TOKEN } from './support.js';

describe('QR scans on the device, offline', () => {
  it('a dynamic code admits, journaled as credential QR with the card token and concession', () => {
    const d = device();
    expect(d.scan(app().code(NOW))).toMatchObject({
      seq: 1,
      decision: 'allow',
      display: { en: 'Entry recorded' },
    });
    expect(d.journal.range(1, 1)[0]).toMatchObject({
      credential: 'qr',
      cardToken: TOKEN,
      issuingRegion: '500228',
      decision: 'allow',
      reason: 'ENTRY_RECORDED',
      concession: 'senior_free',
      offline: true,
    });
  });

  it('a valid code of a card on the deny list is refused for the deny reason', () => {
    const d = device({}, { denied: 'lost' });
    expect(d.scan(app().code(NOW))?.decision).toBe('deny');
    expect(d.journal.range(1, 1)[0]).toMatchObject({
      reason: 'CARD_LOST',
      cardToken: TOKEN,
      concession: 'none',
    });
  });

  it('the same code twice: the second scan is refused as replayed', () => {
    const d = device();
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

  it('a ticket admits once; the second scan is refused as used', () => {
    const d = device();
    const t = ticket();
    expect(d.scan(t)?.decision).toBe('allow');
    expect(d.scan(t)?.decision).toBe('deny');
    expect(d.journal.range(1, 2).map((e) => [e.reason, e.cardToken])).toEqual([
      ['QR_TICKET_ACCEPTED', TOKEN],
      ['QR_TICKET_USED', TOKEN],
    ]);
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
    const d = device({ qrOfflinePolicy: 'admit' });
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
