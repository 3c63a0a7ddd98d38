import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode } from '../../../core/credentials/base45.js';

describe('base45 (RFC 9285)', () => {
  it.each([
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
    ['', ''],
  ])('encodes %j as %j and back', (text, encoded) => {
    expect(base45Encode(Buffer.from(text))).toBe(encoded);
    expect(Buffer.from(base45Decode(encoded)!).toString()).toBe(text);
  });

  it.each([
    ['a length of 3k+1', 'ABCD'],
    ['a character outside the alphabet', 'GGW'.replace('W', 'w')],
    ['a triple above 65535', 'GGW'],
    ['a pair above 255', 'ZZ'],
    ['non-ASCII', 'BB€'],
  ])('refuses %s', (_, text) => {
    expect(base45Decode(text)).toBeUndefined();
  });

  it('round-trips every byte value', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(Buffer.from(base45Decode(base45Encode(all))!)).toEqual(all);
  });
});
