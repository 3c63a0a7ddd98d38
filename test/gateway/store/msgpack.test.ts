import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PackWriter, unpack } from '../../../gateway/src/store/msgpack.js';

// The commit script's argument codec (docs/decisions/0217): what PackWriter writes, unpack reads
// back, at every header size; what it cannot carry exactly, it refuses.
describe('PackWriter', () => {
  it('writes integers at every width from −2^31 to 2^32 − 1, each read back exactly', () => {
    const ints = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 0xffffffff, -1, -32, -33, -128, -0x80000000];
    const w = new PackWriter();
    for (const n of ints) w.int(n);
    expect(unpack(w.finish())).toEqual(ints);
  });

  it.each([
    ['a fraction', 1.5],
    ['2^32', 2 ** 32],
    ['below −2^31', -(2 ** 31) - 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses %s as an integer (a number like it goes as a string)', (_, n) => {
    expect(() => new PackWriter().int(n)).toThrow(RangeError);
  });

  it('writes strings of any length and alphabet as UTF-8, byte for byte', () => {
    // Every header width at its edges (fixstr < 32 bytes, str 8 < 256, str 16 < 65,536, str 32),
    // by bytes, not characters: eleven '票' are 33 bytes.
    const strs = [
      '',
      'a',
      'tab\there',
      '换乘',
      '票'.repeat(10),
      '票'.repeat(11),
      'a'.repeat(31),
      'a'.repeat(32),
      'b'.repeat(255),
      'b'.repeat(256),
      'c'.repeat(65_535),
      'c'.repeat(65_536),
      '票'.repeat(30_000),
    ];
    const w = new PackWriter();
    for (const s of strs) w.str(s);
    expect(unpack(w.finish())).toEqual(strs);
  });

  it('writes a number in decimal and a head from its parts as the same bytes as str of the joined string (0219)', () => {
    // -0 is "0", as String gives.
    const nums = [
      0,
      -0,
      1,
      -1,
      9,
      10,
      -10,
      99,
      100,
      2 ** 31,
      1e15,
      -(2 ** 53) + 1,
      Number.MAX_SAFE_INTEGER,
      2 ** 53,
      1.5,
      1e21,
      Number.NaN,
      -Infinity,
    ];
    // Fare-state texts around every header width once joined (fixstr < 32 bytes, str 8, str 16),
    // and not ASCII: a fare note in Chinese is 3 bytes a character.
    const texts = [
      '',
      '{}',
      'x'.repeat(27),
      'x'.repeat(28),
      'x'.repeat(29),
      'y'.repeat(250),
      'z'.repeat(70_000),
      '{"n":"换乘"}',
    ];
    for (const a of nums)
      for (const b of [0, -5, 123_456_789_012, ...nums])
        for (const c of texts) {
          const parts = new PackWriter().decimal(a).lines(a, b, c).finish();
          const joined = new PackWriter().str(String(a)).str(`${a}\n${b}\n${c}`).finish();
          expect(parts.equals(joined)).toBe(true);
        }
  });

  it('writes a head and a number in any radix as the same bytes as str of the joined string (0240)', () => {
    const nums = [0, -0, 1, -1, 35, 36, -36, 1295, 1296, 2 ** 31, -(2 ** 53) + 1, Number.MAX_SAFE_INTEGER];
    const odd = [2 ** 53, 1.5, -0.25, 1e21, Number.NaN, Number.POSITIVE_INFINITY];
    const heads = ['', '100', '20k0:', 'x'.repeat(30), 'y'.repeat(300), '换乘:'];
    for (const head of heads)
      for (const n of [...nums, ...odd])
        for (const radix of [10, 16, 36]) {
          const parts = new PackWriter(64).strInt(head, n, radix).finish();
          const joined = new PackWriter().str(head + n.toString(radix)).finish();
          expect(parts.equals(joined), `${head} ${n} ${radix}`).toBe(true);
        }
  });

  it('writes a string whose first non-ASCII character comes late, its header sized by bytes not characters (0219)', () => {
    const w = new PackWriter(64);
    // 30 ASCII characters then one of 3 bytes: 31 characters (a fixstr) but 33 bytes (str 8).
    w.str(`${'a'.repeat(30)}票`);
    // Past the native check's length: a long ASCII run, then the non-ASCII character.
    w.str(`${'b'.repeat(60)}é`);
    w.lines(1, 2, `${'c'.repeat(25)}换`);
    const bytes = w.finish();
    expect([...bytes.subarray(0, 2)]).toEqual([0xd9, 33]);
    expect(bytes.subarray(2, 35).toString('utf8')).toBe(`${'a'.repeat(30)}票`);
    expect(unpack(bytes)).toEqual([`${'a'.repeat(30)}票`, `${'b'.repeat(60)}é`, `1\n2\n${'c'.repeat(25)}换`]);
  });

  it('appends what another writer wrote, as it is, growing to fit', () => {
    const col = new PackWriter(64);
    for (let i = 0; i < 300; i++) col.str(`v${i}`).int(i);
    const w = new PackWriter(64).int(2).int(7);
    expect(w.length).toBe(2);
    w.append(col).str('end');
    expect(w.length).toBe(w.finish().length);
    const values = Array.from({ length: 300 }, (_, i) => [`v${i}`, i]).flat();
    expect(unpack(w.finish())).toEqual([2, 7, ...values, 'end']);
  });

  it("appends a range of another writer's bytes, short (copied in a loop) or long, growing to fit (0234)", () => {
    const column = new PackWriter(64).str('a').str('x'.repeat(40)).int(300).str('é');
    const all = column.finish();
    // Each value's bytes: 2, 42, 3 and 3.
    const cuts = [0, 2, 44, 47, 50];
    const w = new PackWriter(64).array(3);
    w.appendRange(column, cuts[3]!, cuts[4]!)
      .appendRange(column, cuts[1]!, cuts[2]!)
      .appendRange(column, 0, 2);
    expect(unpack(w.finish())).toEqual([['é', 'x'.repeat(40), 'a']]);
    expect(all.length).toBe(50);
    const empty = new PackWriter(64).appendRange(column, 5, 5);
    expect(empty.length).toBe(0);
  });

  it('grows its buffer from a small start without losing what it wrote', () => {
    const w = new PackWriter(64);
    const values: Array<string | number> = [];
    for (let i = 0; i < 2_000; i++) {
      values.push(i, `k${i}`);
      w.int(i).str(`k${i}`);
    }
    expect(unpack(w.finish())).toEqual(values);
  });

  it('writes bytes as a str as they are, read back as bytes when they are not UTF-8 (a tap field, 0222)', () => {
    const field = Buffer.from([0, 0, 0, 1, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x00, 0x7f, 0xa0]);
    const b = new PackWriter(16).bytes(field).bytes(Buffer.from('tap:1')).finish();
    expect(b.subarray(0, 13)).toEqual(Buffer.concat([Buffer.of(0xa0 | 12), field]));
    expect(unpack(b)).toEqual([field, 'tap:1']);
  });

  it("writes hex digits' bytes, then the first bytes of a text's SHA-256, as one str; refuses what is not lowercase hex (0235, 0247)", () => {
    const b = new PackWriter(8).hexThenSha256('00ff7a10cafe', 8, 'tap:bus-7:9f3a:12', 8).str('x').finish();
    const digest = createHash('sha256').update('tap:bus-7:9f3a:12').digest().subarray(0, 8);
    expect(b).toEqual(Buffer.concat([Buffer.from('ac00ff7a10', 'hex'), digest, Buffer.from('a178', 'hex')]));
    expect(unpack(b)).toEqual([Buffer.concat([Buffer.from('00ff7a10', 'hex'), digest]), 'x']);
    for (const [a, digits] of [
      ['00FF7A10', 8],
      ['00ff7a1g', 8],
      ['00ff7a1', 8],
      ['00ff7a10', 7],
      ['00ff\u00e97a1', 8],
    ] as const)
      expect(() => new PackWriter().hexThenSha256(a, digits, 'tap:1', 8), `${a} ${digits}`).toThrow(
        RangeError,
      );
  });

  it('writes arrays of any size, nested', () => {
    const big = Array.from({ length: 70_000 }, (_, i) => i % 300);
    const w = new PackWriter();
    w.array(3).int(1).str('b').array(2).int(-5).str('c');
    w.array(20);
    for (let i = 0; i < 20; i++) w.int(i);
    w.array(big.length);
    for (const n of big) w.int(n);
    expect(unpack(w.finish())).toEqual([[1, 'b', [-5, 'c']], Array.from({ length: 20 }, (_, i) => i), big]);
  });
});

describe('unpack', () => {
  it('refuses a truncated buffer and a type the commit never writes', () => {
    const w = new PackWriter().str('hello');
    const whole = w.finish();
    expect(() => unpack(whole.subarray(0, whole.length - 1))).toThrow(/truncated/);
    expect(() => unpack(Buffer.from([0xc0]))).toThrow(/not one the commit uses/);
  });
});
