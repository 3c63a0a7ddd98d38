// Personal data: card numbers and ID numbers (the social security number is the national ID
// number) never travel or rest in clear beyond the point where they are read. Inside the
// system a card is its keyed token; people see masked forms.
import { createHmac } from 'node:crypto';

/** Bytes of a card token on the wire (16 bytes = 128 bits: collision-free for any city). */
export const TOKEN_BYTES = 16;
const TOKEN_HEX = /^[0-9a-f]{32}$/;

/**
 * Keyed token of a card number: HMAC-SHA-256 under the system's token key, first 16 bytes.
 * Keyed, so a list of tokens cannot be reversed by hashing every possible card number without
 * the key.
 */
export function cardToken(tokenKey: Buffer, cardNumber: string): Buffer {
  return createHmac('sha256', tokenKey)
    .update(normaliseCardNumber(cardNumber))
    .digest()
    .subarray(0, TOKEN_BYTES);
}

export function cardTokenHex(tokenKey: Buffer, cardNumber: string): string {
  return cardToken(tokenKey, cardNumber).toString('hex');
}

export function isTokenHex(s: string): boolean {
  return TOKEN_HEX.test(s);
}

function normaliseCardNumber(n: string): string {
  return n.trim().toUpperCase();
}

/** Card number for display: first 3 and last 2 characters, e.g. "A12****78". */
export function maskCardNumber(cardNumber: string): string {
  const n = normaliseCardNumber(cardNumber);
  if (n.length <= 5) return '*'.repeat(n.length);
  return `${n.slice(0, 3)}${'*'.repeat(n.length - 5)}${n.slice(-2)}`;
}

/** ID number for display: region prefix (first 3) and last 4, e.g. "500***********123X". */
export function maskIdNumber(idNumber: string): string {
  const n = idNumber.trim().toUpperCase();
  if (n.length <= 7) return '*'.repeat(n.length);
  return `${n.slice(0, 3)}${'*'.repeat(n.length - 7)}${n.slice(-4)}`;
}
