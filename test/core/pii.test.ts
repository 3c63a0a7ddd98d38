import { describe, expect, it } from 'vitest';
import { cardToken, cardTokenHex, isTokenHex, maskCardNumber, maskIdNumber } from '../../core/pii.js';

const key = Buffer.alloc(32, 7);

describe('card tokens', () => {
  it('are 16 bytes, stable and keyed', () => {
    expect(cardToken(key, 'A12345678')).toHaveLength(16);
    expect(cardTokenHex(key, 'A12345678')).toBe(cardTokenHex(key, 'A12345678'));
    expect(cardTokenHex(key, 'A12345678')).not.toBe(cardTokenHex(Buffer.alloc(32, 8), 'A12345678'));
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
