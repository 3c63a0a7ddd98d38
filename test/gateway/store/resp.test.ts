// encodeCommand (gateway/src/store/resp.ts, docs/decisions/0233) writes what ioredis itself writes
// for the same command, byte for byte: ASCII and non-ASCII strings, empty ones, Buffers (empty
// too), numbers, over seeded random commands; and a written command hands ioredis those bytes.
import { Command } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { WrittenCommand } from '../../../gateway/src/store/redis-client.js';
import { commandArguments, encodeCommand, Joined, SplitKeys } from '../../../gateway/src/store/resp.js';
import { type SeededRandom, seededRandom } from '../../support/random.js';

/** What ioredis itself takes as an argument. */
type Part = string | number | Buffer;

/** ioredis's own bytes for the command (a Buffer argument makes it write a Buffer). */
function ioredisBytes(name: string, parts: readonly Part[]): Buffer {
  const command = new Command(name, [...parts]);
  // ioredis decides between its string and Buffer paths as it sends (Redis.sendCommand).
  (command as unknown as { stringifyArguments(): void }).stringifyArguments();
  const w = command.toWritable(undefined as never);
  return typeof w === 'string' ? Buffer.from(w) : w;
}

const STRINGS = ['', 'a', 'oc:{p7}:card:0123456789abcdef', '社保卡', 'naïve', '🚇 line 1', '\r\n$3\r\n'];

function randomPart(r: SeededRandom): Part {
  switch (r.int(4)) {
    case 0:
      // Short strings (copied by a loop) and long ones (measured and written natively), 0240.
      return r.pick(STRINGS) + 'x'.repeat(r.int(r.int(4) === 0 ? 300 : 40));
    case 1:
      return Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)));
    case 2:
      return r.int(2_000_000_000);
    default:
      return Array.from({ length: r.int(20) }, () => String.fromCharCode(32 + r.int(95))).join('');
  }
}

describe('encodeCommand', () => {
  it.each([
    ['no arguments', [], [], []],
    ['a key count, keys and arguments', ['2'], ['k1', 'k2'], ['600', Buffer.from([0, 1, 2])]],
    ['empty strings and an empty Buffer', [''], [], [Buffer.alloc(0), '']],
    ['non-ASCII strings, counted in UTF-8 bytes', ['社保卡'], ['naïve'], ['🚇']],
    [
      'strings each side of the short ones (0240)',
      ['k'.repeat(128)],
      ['k'.repeat(129), '社'.repeat(128)],
      ['社'.repeat(129), `${'k'.repeat(127)}é`],
    ],
    ['a lone surrogate, as UTF-8 writes it', ['\ud800'], [`${'k'.repeat(200)}\udfff`], []],
    ['numbers as decimal strings', [0], [7], [1_234_567]],
  ] as const)('writes %s as ioredis does', (_, head, middle, tail) => {
    const parts = [...head, ...middle, ...tail] as Part[];
    expect(
      encodeCommand('ONECARD.COMMIT', head, middle, tail).equals(ioredisBytes('ONECARD.COMMIT', parts)),
    ).toBe(true);
  });

  it('writes random commands as ioredis does, including ones longer than its kept lengths', () => {
    const r = seededRandom(233);
    for (let n = 0; n < 400; n++) {
      const lists = [0, 1, 2].map(() =>
        Array.from({ length: r.int(n === 399 ? 3000 : 30) }, () => randomPart(r)),
      );
      const [head, middle, tail] = lists as [Part[], Part[], Part[]];
      const mine = encodeCommand('mget', head, middle, tail);
      expect(mine.equals(ioredisBytes('mget', [...head, ...middle, ...tail]))).toBe(true);
    }
  });
});

describe('a Joined argument (0236)', () => {
  const owner = { generation: 0 };
  const parts = [Buffer.from('ab'), Buffer.alloc(0), Buffer.from([0, 13, 10, 255]), Buffer.from('社保')];
  const whole = Buffer.concat(parts);

  it('is written as the Buffer of its parts joined, byte for byte', () => {
    const joined = new Joined(parts, whole.length, owner);
    expect(encodeCommand('SET', ['k'], [joined], [7])).toEqual(encodeCommand('SET', ['k'], [whole], [7]));
    expect(joined.toBuffer()).toEqual(whole);
  });

  it('is refused, not written, once its owner has started again (its buffers are reused)', () => {
    const mine = { generation: 4 };
    const joined = new Joined(parts, whole.length, mine);
    mine.generation++;
    expect(() => encodeCommand('SET', ['k'], [joined], [])).toThrow('reused');
    expect(() => joined.toBuffer()).toThrow('reused');
  });
});

describe('split keys (0244)', () => {
  it('are written as their heads and tails joined, byte for byte, between the other lists', () => {
    const r = seededRandom(244);
    for (let n = 0; n < 300; n++) {
      // Heads and tails of every kind: ASCII as a card's, non-ASCII (written as the joined
      // string), empty, and past the short strings' length.
      const text = () => r.pick(STRINGS) + 'k'.repeat(r.int(r.int(5) === 0 ? 200 : 20));
      const count = r.int(n === 299 ? 2000 : 40);
      const heads = Array.from({ length: count }, text);
      const tails = Array.from({ length: count }, text);
      const head = Array.from({ length: r.int(3) }, () => randomPart(r));
      const tail = Array.from({ length: r.int(3) }, () => randomPart(r));
      const joined = heads.map((h, i) => h + tails[i]);
      const mine = encodeCommand('MGET', head, new SplitKeys(heads, tails), tail);
      expect(mine.equals(ioredisBytes('MGET', [...head, ...joined, ...tail]))).toBe(true);
      expect(
        commandArguments(mine)
          .slice(head.length, head.length + count)
          .map(String),
      ).toEqual(joined);
    }
  });

  it('give each key as one string for a path that sends strings', () => {
    const keys = new SplitKeys(['oc:{p3}:card:', '社:'], ['00ff', '卡']);
    expect([keys.length, keys.at(0), keys.at(1)]).toEqual([2, 'oc:{p3}:card:00ff', '社:卡']);
  });

  it('are refused when heads and tails do not pair up', () => {
    expect(() => new SplitKeys(['a', 'b'], ['c'])).toThrow('one head and one tail');
  });
});

describe('commandArguments', () => {
  it('reads back every argument after the name, as the bytes written, over random commands', () => {
    const r = seededRandom(236);
    for (let n = 0; n < 200; n++) {
      const lists = [0, 1, 2].map(() => Array.from({ length: r.int(20) }, () => randomPart(r)));
      const [head, middle, tail] = lists as [Part[], Part[], Part[]];
      const args = commandArguments(encodeCommand('onecard.commit', head, middle, tail));
      const want = [...head, ...middle, ...tail].map((p) =>
        Buffer.isBuffer(p) ? p : Buffer.from(String(p)),
      );
      expect(args).toEqual(want);
    }
  });

  it('refuses bytes that are not one written command', () => {
    expect(() => commandArguments(Buffer.from('+OK\r\n'))).toThrow('not a written command');
    expect(() => commandArguments(Buffer.from('*2\r\n$3\r\nGET\r\n$9\r\nk\r\n'))).toThrow('cut short');
    expect(() => commandArguments(Buffer.from('*1\r\n$x\r\n'))).toThrow('not a written command');
  });
});

describe('WrittenCommand', () => {
  it('hands ioredis the bytes it was given, as they are', () => {
    const bytes = encodeCommand('PING', [], [], []);
    expect(new WrittenCommand('ping', bytes).toWritable()).toBe(bytes);
  });
});
