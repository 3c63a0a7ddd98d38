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

/** What a free-text value was refused for (docs/decisions/0156-strict-input.md). */
export type PersonalDataShape = 'id_number' | 'card_number' | 'bank_card_number';

// 18-character resident ID number (GB 11643): 17 digits and a check character; digits on either
// side would make it part of a longer number, which is judged as a bank card number instead.
const ID_NUMBER = /(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])/g;
// Social security card number (社会保障号码 is the ID number; the card's own number is one letter
// and eight digits). Alphanumerics on both sides make it part of a longer token (a UUID's hex
// group, a hash), where it is not read as a card number.
const CARD_NUMBER = /(?<![A-Za-z0-9])[A-Za-z][0-9]{8}(?![A-Za-z0-9])/;
// The card is also a UnionPay debit card: 16 to 19 digits beginning 62, with a Luhn check digit.
const BANK_CARD = /(?<![0-9])62[0-9]{14,17}(?![0-9])/g;
const GB11643_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const GB11643_CHECK = '10X98765432';

/** True when the 18 characters carry a valid GB 11643 check character (MOD 11-2). */
export function isIdNumberChecksumValid(id: string): boolean {
  if (!/^[0-9]{17}[0-9Xx]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * GB11643_WEIGHTS[i]!;
  return GB11643_CHECK[sum % 11] === id[17]!.toUpperCase();
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Whether a free-text value (an id, a channel, a username) carries something shaped like
 * personal data, so it can be refused before it reaches record ids, keys, logs or Kafka. Pure
 * and conservative: a UUID, a timestamp or an order number passes; an ID number needs its check
 * character and a bank card number its Luhn digit, so few honest numbers are caught.
 */
export function personalDataShape(text: string): PersonalDataShape | undefined {
  for (const m of text.matchAll(ID_NUMBER))
    if (isIdNumberChecksumValid(m[0]) && !inHash(text, m.index)) return 'id_number';
  if (CARD_NUMBER.test(text)) return 'card_number';
  for (const m of text.matchAll(BANK_CARD))
    if (luhnValid(m[0]) && !inHash(text, m.index)) return 'bank_card_number';
  return undefined;
}

/** Hex characters in a row that make a hash or a card token (32, HMAC-SHA-256 cut to 16 bytes). */
const HASH_HEX = 32;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Whether the digits at `at` lie in a run of at least 32 hex characters: a card token or a hash,
 * not a number someone typed (docs/decisions/0237). One card token in ~25,000 holds 18 digits in
 * a row that pass GB 11643's check, and was refused as an ID number wherever it went in a URL.
 */
function inHash(text: string, at: number): boolean {
  let from = at;
  while (from > 0 && isHex(text.charCodeAt(from - 1))) from--;
  let to = at;
  while (to < text.length && isHex(text.charCodeAt(to))) to++;
  return to - from >= HASH_HEX;
}
