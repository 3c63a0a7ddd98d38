import { describe, expect, it } from 'vitest';
import {
  cardToken,
  cardTokenHex,
  isIdNumberChecksumValid,
  isTokenHex,
  maskCardNumber,
  maskIdNumber,
  personalDataShape,
} from '../../core/pii.js';

const key = Buffer.alloc(32, 7);

describe('card tokens', () => {
  it('are 16 bytes, stable and keyed', () => {
    expect(cardToken(key, 'A12345678')).toHaveLength(16);
    expect(cardTokenHex(key, 'A12345678')).toBe(cardTokenHex(key, 'A12345678'));
    expect(cardTokenHex(key, 'A12345678')).not.toBe(cardTokenHex(Buffer.alloc(32, 8), 'A12345678'));
  });
  it('match the test vector of docs/topics.md (a vendor checks its own code against it)', () => {
    expect(cardTokenHex(key, 'A12345678')).toBe('644fd72577a0651e3054cce810467f71');
    expect(cardTokenHex(key, ' a12345678 ')).toBe('644fd72577a0651e3054cce810467f71');
  });
  it('ignore case and surrounding spaces of the card number', () => {
    expect(cardTokenHex(key, ' a12345678 ')).toBe(cardTokenHex(key, 'A12345678'));
  });
  it('never contain the card number', () => {
    expect(cardTokenHex(key, 'A12345678')).not.toContain('12345678');
    expect(isTokenHex(cardTokenHex(key, 'A12345678'))).toBe(true);
  });
});

describe('masking', () => {
  it.each([
    ['A12345678', 'A12****78'],
    ['ABCDE', '*****'],
    ['abcdefg', 'ABC**FG'],
  ])('card number %s → %s', (n, masked) => expect(maskCardNumber(n)).toBe(masked));
  it.each([
    ['50022819800101123X', '500***********123X'],
    ['110105194912310021', '110***********0021'],
  ])('ID number %s → %s', (n, masked) => expect(maskIdNumber(n)).toBe(masked));
});

describe('personal data in free text (decision 0156)', () => {
  it.each([
    // ID numbers (GB 11643) with a valid check character, alone or inside other text.
    ['500228198001011230', 'id_number'],
    ['11010519491231002X', 'id_number'],
    ['11010519491231002x', 'id_number'],
    ['req-500228198001011230', 'id_number'],
    ['topup:11010519491231002X:1', 'id_number'],
    // Hex letters beside it do not hide one: only a run of 32 hex (a token, a hash) does (0237).
    ['abc500228198001011230', 'id_number'],
    ['ab500228198001011230cdef', 'id_number'],
    // Social security card numbers: one letter and eight digits, as a whole word.
    ['A12345678', 'card_number'],
    ['a12345678', 'card_number'],
    ['topup-A12345678-1', 'card_number'],
    ['A12345678.counter', 'card_number'],
    // UnionPay debit card numbers (the card is one): 62…, 16 to 19 digits, Luhn-valid.
    ['6222021001123459', 'bank_card_number'],
    ['pay-6217001234567890122', 'bank_card_number'],
    ['cafe6222021001123459', 'bank_card_number'],
  ])('%s is refused as %s', (text, shape) => expect(personalDataShape(text)).toBe(shape));

  it.each([
    ['500228198001011231', 'an ID number with a wrong check character'],
    ['5002281980010112301', 'nineteen digits and no Luhn digit'],
    ['0f8fad5b-d9cb-469f-a165-70867728950e', 'a UUID'],
    ['a1234567-b123-4567-a123-a12345678bcd', 'a UUID with a letter and eight digits inside a group'],
    ['1733300000000', 'a Unix time in ms'],
    ['counter-01', 'a channel name'],
    ['xA12345678', 'letters joined to the card-number shape'],
    ['A1234567', 'seven digits'],
    ['A123456789', 'nine digits'],
    ['6222021001123458', 'a 62 number with a wrong Luhn digit'],
    ['', 'nothing'],
    // A card token is 32 hex; one in ~25,000 holds an ID-number shape (0237: this one did).
    ['559880c71782aa171344069360575509', 'a card token whose digits pass as an ID number'],
    [`${'ea'.repeat(7)}500228198001011230${'fa'.repeat(8)}`, 'a SHA-256 hex with an ID number inside'],
    ['ab6222021001123459cdef0123456789', 'a card token whose digits pass as a bank card number'],
  ])('%s passes (%s)', (text) => expect(personalDataShape(text)).toBeUndefined());

  it('checks the GB 11643 check character', () => {
    expect(isIdNumberChecksumValid('500228198001011230')).toBe(true);
    expect(isIdNumberChecksumValid('500228198001011239')).toBe(false);
    expect(isIdNumberChecksumValid('50022819800101123')).toBe(false);
  });
});
