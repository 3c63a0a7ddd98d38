import { describe, expect, it } from 'vitest';
import { intLength, writeAscii, writeInt } from '../../gateway/src/text-bytes.js';

describe('a whole number written into bytes', () => {
  const numbers = [
    0,
    -0,
    1,
    -1,
    9,
    10,
    -10,
    35,
    36,
    1295,
    1296,
    99_999_999,
    100_000_000,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 31 + 1,
    -(2 ** 31),
    999_999_999_999,
    1_000_000_000_000,
    1_765_000_000_123,
    1e15,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
  ];
  it.each([2, 10, 16, 36])('is what toString(%i) writes, its length counted alike', (radix) => {
    for (const n of numbers) {
      const text = n.toString(radix);
      const b = Buffer.alloc(80, 0xff);
      const end = writeInt(b, 3, n, radix);
      expect(intLength(n, radix), `${n}`).toBe(text.length);
      expect(end, `${n}`).toBe(3 + text.length);
      expect(b.toString('latin1', 3, end)).toBe(text);
      // Nothing written past its end.
      expect(b[end]).toBe(0xff);
    }
  });
});

describe('a whole number written into bytes, at every size', () => {
  // Each power of the radix and its neighbours, up to the largest safe integer, both signs: the
  // digit count changes there, and the writer changes arithmetic at 2^31.
  it.each([2, 10, 16, 36])('is what toString(%i) writes', (radix) => {
    const b = Buffer.alloc(80);
    for (let p = 1; p <= Number.MAX_SAFE_INTEGER; p *= radix)
      for (const n of [p - 1, p, p + 1, -(p - 1), -p, -(p + 1)]) {
        if (!Number.isSafeInteger(n)) continue;
        const end = writeInt(b, 0, n, radix);
        expect(b.toString('latin1', 0, end), `${n}`).toBe(n.toString(radix));
        expect(intLength(n, radix), `${n}`).toBe(end);
      }
  });
});

describe('ASCII text written into bytes', () => {
  it.each([
    ['', 2],
    ['card', 6],
    ['\u007f~ 0', 6],
  ])('%j is copied as it is, and says where it ends', (s, end) => {
    const b = Buffer.alloc(16);
    expect(writeAscii(b, 2, s)).toBe(end);
    expect(b.toString('latin1', 2, end)).toBe(s);
  });

  it.each(['é', 'ab社', '🚇', 'a\u0080'])(
    '%j is refused with −1 at its first character that is not ASCII',
    (s) => {
      expect(writeAscii(Buffer.alloc(16), 0, s)).toBe(-1);
    },
  );
});
