// The SHA-256 backends (gateway/src/addon/sha256.ts, docs/decisions/0247): the gateway's addon
// and node:crypto, each against createHash on the pieces the tap path hashes and on edge cases,
// and each refusing a range outside its buffer with nothing read or written.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { sha256, sha256Backends } from '../../../gateway/src/addon/sha256.js';

const digest = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

/** A seeded generator (xorshift32): the same pieces every run. */
function seeded(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('SHA-256 backends', () => {
  it('the addon is built on this machine (scripts/setup.sh) and is the one in use', () => {
    expect(sha256Backends.map((b) => b.name)).toEqual(['addon', 'node:crypto']);
    expect(sha256.name).toBe('addon');
  });

  for (const b of sha256Backends) {
    describe(b.name, () => {
      it('gives the hex digits of any range of a buffer as createHash does', () => {
        const random = seeded(247);
        const buf = Buffer.alloc(4096);
        for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(random() * 256);
        for (let n = 0; n < 500; n++) {
          const from = Math.floor(random() * 2048);
          const to = from + Math.floor(random() * (n < 50 ? 4 : 2048));
          const chars = 1 + Math.floor(random() * 64);
          const want = digest(buf.subarray(from, to)).toString('hex').slice(0, chars);
          expect(b.hex(buf, from, to, chars), `${from}..${to} ${chars}`).toBe(want);
        }
        // The empty range, the whole buffer, all 64 digits.
        expect(b.hex(buf, 7, 7, 64)).toBe(digest(Buffer.alloc(0)).toString('hex'));
        expect(b.hex(buf, 0, buf.length, 64)).toBe(digest(buf).toString('hex'));
      });

      it("writes the first bytes of a text's SHA-256 of its UTF-8, for a dedupe key, non-ASCII and over 1 KB", () => {
        const texts = [
          'tap:bus-7:9f3a1c0de4b27a51:12',
          'tap:bus-7:12',
          '',
          'topup:请求-1',
          'lone \ud800 surrogate',
          // Around the addon's 1 KB room: within 4 bytes of it the text may have been cut short
          // (never inside a character), so from there node:crypto hashes it.
          'x'.repeat(1018),
          'x'.repeat(1019),
          'x'.repeat(1020),
          'x'.repeat(1023),
          `${'x'.repeat(1018)}é`,
          `${'x'.repeat(1017)}😀`,
          'é'.repeat(600),
          'y'.repeat(5000),
        ];
        for (const text of texts)
          for (const n of [1, 8, 32]) {
            const out = Buffer.alloc(40, 0xaa);
            b.into(text, out, 3, n);
            expect(out.subarray(3, 3 + n), `${text.slice(0, 12)} ${n}`).toEqual(digest(text).subarray(0, n));
            // Nothing outside the bytes asked for.
            expect(out.subarray(0, 3)).toEqual(Buffer.alloc(3, 0xaa));
            expect(out.subarray(3 + n)).toEqual(Buffer.alloc(37 - n, 0xaa));
          }
      });

      it('refuses a range outside the buffer or a digit count outside 1 to 64, reading nothing', () => {
        const buf = Buffer.alloc(16);
        for (const [from, to, chars] of [
          [0, 17, 16],
          [5, 4, 16],
          [-1, 4, 16],
          [0, 4, 0],
          [0, 4, 65],
          [0.5, 4, 16],
          [0, Number.NaN, 16],
          [0, 2 ** 32, 16],
        ])
          expect(() => b.hex(buf, from!, to!, chars!), `${from} ${to} ${chars}`).toThrow(RangeError);
      });

      it('refuses to write past the buffer or more than 32 bytes, writing nothing', () => {
        const out = Buffer.alloc(8, 0xaa);
        for (const [at, n] of [
          [1, 8],
          [8, 1],
          [0, 0],
          [0, 33],
          [-1, 4],
          [0, 1.5],
        ]) {
          expect(() => b.into('tap:1', out, at!, n!), `${at} ${n}`).toThrow(RangeError);
          expect(out).toEqual(Buffer.alloc(8, 0xaa));
        }
      });
    });
  }

  it('the addon refuses what is not a Buffer or a string, never reading it as one', () => {
    const addon = sha256Backends.find((b) => b.name === 'addon')!;
    // Its own functions, called with too few arguments: refused, not read past.
    const raw = createRequire(import.meta.url)('../../../gateway/src/addon/build/onecard.node') as Record<
      string,
      (...args: unknown[]) => unknown
    >;
    expect(() => raw.hex!(Buffer.alloc(4), 0, 1)).toThrow(TypeError);
    expect(() => raw.into!('tap:1', Buffer.alloc(4))).toThrow(TypeError);
    expect(() => addon.hex('not a buffer' as unknown as Buffer, 0, 1, 16)).toThrow(TypeError);
    expect(() => addon.into(42 as unknown as string, Buffer.alloc(8), 0, 8)).toThrow(TypeError);
    expect(() => addon.into('tap:1', [0, 0, 0] as unknown as Buffer, 0, 1)).toThrow(TypeError);
  });
});
