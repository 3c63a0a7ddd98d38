// A card read from its Redis string (gateway/src/store/redis-card.ts, docs/decisions/0214): the
// object built at once, its uses set after (docs/decisions/0219), the same CardState as before.
import { describe, expect, it } from 'vitest';
import { emptyFareState } from '../../../core/tariff/state.js';
import { cardFromFields, cardFromString, newCardString } from '../../../gateway/src/store/redis-card.js';
import { token } from './fixtures.js';

describe('cardFromString', () => {
  it('reads a new card: no uses yet as an empty list, the empty fare state, fields in order', () => {
    const card = cardFromString(token(1), newCardString(5_000, 4, '1234****5678', '110000'));
    expect(card).toStrictEqual({
      token: token(1),
      known: true,
      version: 1,
      balanceFen: 5_000,
      status: 'active',
      flags: 4,
      masked: '1234****5678',
      region: '110000',
      fare: emptyFareState,
      uses: [],
    });
    expect(Object.keys(card).at(-1)).toBe('uses');
    // Every card without uses shares one list; nothing may write into it.
    expect(() => (card.uses as unknown[]).push(['x', 1, 2])).toThrow(TypeError);
    expect(cardFromString(token(2), newCardString(1, 0, '', '')).uses).toBe(card.uses);
  });

  it('reads uses and a fare state, and leaves uses out on a card from before 0203', () => {
    const s = `7\n-20\n{"open":{"t":5}}\n[["pass-1",2,20000]]\nlost\n0\nm\nr`;
    const card = cardFromString(token(3), s);
    expect(card).toMatchObject({ version: 7, balanceFen: -20, status: 'lost', fare: { open: { t: 5 } } });
    expect(card.uses).toEqual([['pass-1', 2, 20000]]);
    expect(Object.hasOwn(cardFromString(token(3), `7\n0\n\n\nactive\n0\nm\nr`), 'uses')).toBe(false);
  });

  it('refuses corrupt uses before a corrupt fare state, as before, and a wrong field count', () => {
    expect(() => cardFromString(token(4), `1\n0\n{x\n[1]\nactive\n0\nm\nr`)).toThrow(/entitlement uses/);
    expect(() => cardFromString(token(4), `1\n0\n{x\n[]\nactive\n0\nm\nr`)).toThrow(/fare state/);
    expect(() => cardFromString(token(4), '1\n0')).toThrow(/2 fields, expected 8/);
  });

  it('reads every string as its fields cut apart would read, numbers and odd ones alike (0235)', () => {
    // What the string's eight fields give through cardFromFields: the reading before 0235.
    const cut = (s: string) => cardFromFields(token(6), s.split('\n'));
    const numbers = [
      '0',
      '7',
      '-20',
      '-0',
      '123456789012345',
      '1234567890123456',
      '-9007199254740991',
      '',
      '1e3',
      ' 4',
      '0x1f',
      '12a',
      '-',
      'NaN',
    ];
    for (const n of numbers) {
      for (const s of [
        `${n}\n0\n{}\n[]\nactive\n0\nm\nr`,
        `1\n${n}\n\n\nlost\n${n}\n\n`,
        `1\n0\n{}\n[]\nactive\n${n}\n1234****5678\n110000`,
      ])
        expect(cardFromString(token(6), s), JSON.stringify(s)).toStrictEqual(cut(s));
    }
    for (const s of [
      `3\n10\n{"last":{"g":"a","d":1,"a":2,"k":0,"p":3}}\n[["p",1,2]]\nactive\n2\nm\nr`,
      `3\n10\n{ }\n[ ]\nactive\n2\n\u00e9\u4e2d\n`,
      `3\n10\n{}\n[]\n\n\n\n`,
    ])
      expect(cardFromString(token(6), s), JSON.stringify(s)).toStrictEqual(cut(s));
    for (const s of ['', '1', '1\n2\n3\n4\n5\n6\n7', '1\n2\n3\n4\n5\n6\n7\n8\n9'])
      expect(() => cardFromString(token(6), s)).toThrow(`${s.split('\n').length} fields, expected 8`);
  });

  it('is an unknown card when there is no string', () => {
    expect(cardFromString(token(5), null)).toMatchObject({ known: false, version: 0 });
  });
});
