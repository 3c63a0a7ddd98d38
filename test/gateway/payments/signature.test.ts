import { describe, expect, it } from 'vitest';
import { newKeyPair } from '../../../core/credentials/keys.js';
import {
  isStale,
  type PaymentFacts,
  signedMessage,
  signNotification,
  verifyNotification,
} from '../../../gateway/src/payments/signature.js';

const provider = newKeyPair();
const facts: PaymentFacts = {
  orderId: 'po_abcdefghijklmnopqrst',
  amountFen: 5_000,
  providerTxnId: 'tx_0123456789',
  paidAt: 1_750_000_000_000,
  timestamp: 1_750_000_001_000,
  nonce: 'n0nce-abc123',
};

describe('payment notification signature', () => {
  it("verifies with the provider's public key", () => {
    const n = signNotification(provider.privateKey, facts);
    expect(verifyNotification(provider.publicKey, n)).toBe(true);
    expect(Buffer.from(n.signature, 'base64url')).toHaveLength(64);
  });

  it('refuses a notification signed with another key', () => {
    const forger = newKeyPair();
    expect(verifyNotification(provider.publicKey, signNotification(forger.privateKey, facts))).toBe(false);
  });

  it.each([
    ['orderId', 'po_abcdefghijklmnopqrsu'],
    ['amountFen', 5_001],
    ['providerTxnId', 'tx_0123456788'],
    ['paidAt', facts.paidAt + 1],
    ['timestamp', facts.timestamp + 1],
    ['nonce', 'n0nce-abc124'],
  ] as const)('refuses a notification whose %s was changed after signing', (field, value) => {
    const n = { ...signNotification(provider.privateKey, facts), [field]: value };
    expect(verifyNotification(provider.publicKey, n)).toBe(false);
  });

  it('refuses a signature of the wrong length or form without throwing', () => {
    const n = signNotification(provider.privateKey, facts);
    expect(verifyNotification(provider.publicKey, { ...n, signature: n.signature.slice(0, 40) })).toBe(false);
    expect(verifyNotification(provider.publicKey, { ...n, signature: '' })).toBe(false);
  });

  it('signs one line per field after a version line, so no field runs into the next', () => {
    expect(signedMessage(facts).toString('utf8')).toBe(
      [
        'onecard-payment-notification-v1',
        'orderId=po_abcdefghijklmnopqrst',
        'amountFen=5000',
        'providerTxnId=tx_0123456789',
        'paidAt=1750000000000',
        'timestamp=1750000001000',
        'nonce=n0nce-abc123',
        '',
      ].join('\n'),
    );
  });

  it('calls a timestamp stale past the window either way, and fresh up to it', () => {
    expect(isStale(1_000, 1_000 + 300_000, 300_000)).toBe(false);
    expect(isStale(1_000, 1_000 + 300_001, 300_000)).toBe(true);
    expect(isStale(1_000 + 300_000, 1_000, 300_000)).toBe(false);
    expect(isStale(1_000 + 300_001, 1_000, 300_000)).toBe(true);
  });
});
