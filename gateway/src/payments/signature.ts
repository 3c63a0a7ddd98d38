// The provider's payment notification and its signature (docs/decisions/0150), pure. Modelled
// on the merchant notifications of WeChat Pay (v3: timestamp, nonce, signature over the
// message), Alipay (sign over the sorted fields) and UnionPay: the provider signs with its
// private key; the gateway holds only the provider's public key (Ed25519 here).
import type { KeyObject } from 'node:crypto';
import { ed25519Sign, ed25519Verify } from '../../../core/credentials/keys.js';

/** The signed fields, in the order the signed message lists them. */
export interface PaymentFacts {
  orderId: string;
  amountFen: number;
  /** The provider's own id of the payment (WeChat transaction_id, Alipay trade_no). */
  providerTxnId: string;
  /** When the payer paid, Unix ms. */
  paidAt: number;
  /** When this delivery was signed, Unix ms: each retry is signed afresh. */
  timestamp: number;
  /** Random per delivery, so two deliveries never sign the same bytes. */
  nonce: string;
}

export interface PaymentNotification extends PaymentFacts {
  /** Ed25519 over signedMessage(facts), base64url. */
  signature: string;
}

const FIELDS = ['orderId', 'amountFen', 'providerTxnId', 'paidAt', 'timestamp', 'nonce'] as const;

/**
 * One line per field, "name=value", after a version line: no field can run into the next
 * (values are pattern-checked and never hold a newline) and a message of another kind or
 * version never verifies as this one.
 */
export function signedMessage(f: PaymentFacts): Buffer {
  const lines = FIELDS.map((k) => `${k}=${String(f[k])}`);
  return Buffer.from(['onecard-payment-notification-v1', ...lines, ''].join('\n'), 'utf8');
}

export function signNotification(privateKey: KeyObject, f: PaymentFacts): PaymentNotification {
  const facts = Object.fromEntries(FIELDS.map((k) => [k, f[k]])) as unknown as PaymentFacts;
  return { ...facts, signature: ed25519Sign(privateKey, signedMessage(facts)).toString('base64url') };
}

export function verifyNotification(publicKey: KeyObject, n: PaymentNotification): boolean {
  const signature = Buffer.from(n.signature, 'base64url');
  if (signature.length !== 64) return false;
  return ed25519Verify(publicKey, signedMessage(n), signature);
}

/** Signed too long ago, or too far ahead of our clock: refused (a replayed capture, a wrong clock). */
export function isStale(timestamp: number, now: number, maxAgeMs: number): boolean {
  return Math.abs(now - timestamp) > maxAgeMs;
}
