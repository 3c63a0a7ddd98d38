// The commit script's argument codec (lua/commitEffects-0.lua, docs/decisions/0217): a call's
// effects as MessagePack arrays in one Buffer (by column since 0218: one array per field). Redis
// unpacks it with its built-in cmsgpack in one C call; a tab-joined string split with a Lua pattern cost
// Redis ~0.5 µs a field. Only what the script needs: arrays, strings, and integers that fit 32
// bits (key numbers, lengths, counts); every other number goes as a decimal string, so Redis
// stores exactly what the gateway computed. Pure; `unpack` is its inverse, for tests and tools.

import { sha256 } from '../addon/sha256.js';
import { intLength, writeAscii, writeInt } from '../text-bytes.js';

/**
 * MessagePack values written straight into one growing buffer (docs/decisions/0219). A string's
 * characters are copied by a JIT-compiled loop while they are ASCII (nearly every field: ids,
 * hex, decimal numbers, JSON of those); a string that is not goes through Buffer.write as UTF-8.
 * Before, the values were joined into one latin1 string (0217): a native Buffer.write per field
 * cost more, but the joins left a string or two of garbage per field and one more copy at the
 * end; the loop into the buffer leaves neither.
 */
export class PackWriter {
  private buf: Buffer;
  private pos = 0;

  /** bytes: the room to start with; it doubles when a value needs more. */
  constructor(bytes = 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(64, bytes));
  }

  /** An array header: the next n values are its items. */
  array(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not an array length: ${n}`);
    this.room(5);
    const b = this.buf;
    if (n < 16) b[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      b[this.pos] = 0xdc;
      b[this.pos + 1] = n >>> 8;
      b[this.pos + 2] = n & 0xff;
      this.pos += 3;
    } else {
      b[this.pos++] = 0xdd;
      this.be32(n);
    }
    return this;
  }

  /** An integer from −2^31 to 2^32 − 1; anything else is a RangeError (send it as a string). */
  int(n: number): this {
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff)
      throw new RangeError(`not a 32-bit integer: ${n}`);
    this.room(5);
    const b = this.buf;
    if (n >= 0 && n < 0x80) b[this.pos++] = n;
    else if (n < 0 && n >= -32) b[this.pos++] = n & 0xff;
    else if (n >= 0 && n < 0x10000) {
      b[this.pos] = 0xcd;
      b[this.pos + 1] = n >>> 8;
      b[this.pos + 2] = n & 0xff;
      this.pos += 3;
    } else if (n >= 0) {
      b[this.pos++] = 0xce;
      this.be32(n);
    } else {
      b[this.pos++] = 0xd2;
      this.be32(n >>> 0);
    }
    return this;
  }

  /** A string as UTF-8 (fixstr, str 8, 16 or 32, by its byte length). */
  str(s: string): this {
    const at = this.pos;
    this.header(s.length);
    if (!this.ascii(s)) {
      this.pos = at;
      this.utf8(s);
    }
    return this;
  }

  /** Raw bytes as a str (cmsgpack gives Lua the bytes as they are: a tap's field, 0222). */
  bytes(b: Uint8Array): this {
    this.header(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /**
   * A str of the bytes `a`'s first `aDigits` hex digits spell (an even count, lowercase), then
   * the first `n` bytes of SHA-256 of `text`'s UTF-8. A tap's field (redis-keys.ts packTapField):
   * the digits decoded and the digest written straight into the buffer, with no Buffer of the
   * field (0235) and no hex string of the digest made and read back (0247).
   */
  hexThenSha256(a: string, aDigits: number, text: string, n: number): this {
    this.header((aDigits >>> 1) + n);
    const at = this.hex(a, aDigits, this.pos);
    sha256.into(text, this.buf, at, n);
    this.pos = at + n;
    return this;
  }

  /** A number as the str of its decimal form (what String(n) gives): ASCII, no check. */
  decimal(n: number): this {
    // A safe integer's digits are written as they are worked out, with no string made for them
    // (docs/decisions/0240); anything else as String gives it.
    if (Number.isSafeInteger(n)) {
      this.header(intLength(n, 10));
      this.pos = writeInt(this.buf, this.pos, n, 10);
      return this;
    }
    const s = String(n);
    this.header(s.length);
    this.ascii(s);
    return this;
  }

  /**
   * The str `${a}\n${b}\n${c}` (two numbers in decimal, then any string) written from its parts:
   * no joined string is built first (a card's head, 0214), nor one for either number (0240).
   */
  lines(a: number, b: number, c: string): this {
    const at = this.pos;
    if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
      this.header(intLength(a, 10) + intLength(b, 10) + c.length + 2);
      const buf = this.buf;
      let p = writeInt(buf, this.pos, a, 10);
      buf[p++] = 0x0a;
      p = writeInt(buf, p, b, 10);
      buf[p++] = 0x0a;
      this.pos = p;
      if (this.ascii(c)) return this;
      this.pos = at;
    }
    // Not safe integers (never a card's version or balance) or not ASCII: as the joined string.
    this.utf8(`${a}\n${b}\n${c}`);
    return this;
  }

  /**
   * The str `${head}${n.toString(radix)}` (radix 2 to 36: digits, then lowercase letters) written
   * from its parts, with no string made for the number (a stored result, redis-results.ts, 0240).
   */
  strInt(head: string, n: number, radix: number): this {
    if (Number.isSafeInteger(n)) {
      const at = this.pos;
      this.header(head.length + intLength(n, radix));
      if (this.ascii(head)) {
        this.pos = writeInt(this.buf, this.pos, n, radix);
        return this;
      }
      this.pos = at;
    }
    return this.str(head + n.toString(radix));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Everything another writer wrote, as it is (a column written apart, then joined). */
  append(w: PackWriter): this {
    this.room(w.pos);
    w.buf.copy(this.buf, this.pos, 0, w.pos);
    this.pos += w.pos;
    return this;
  }

  /** Bytes [from, to) of what another writer wrote, as they are (a call's share of a column). */
  appendRange(w: PackWriter, from: number, to: number): this {
    const n = to - from;
    this.room(n);
    const src = w.buf;
    const dst = this.buf;
    // A field is a few bytes: copied here, where a native copy per field costs more.
    if (n <= 32) for (let i = 0; i < n; i++) dst[this.pos + i] = src[from + i]!;
    else src.copy(dst, this.pos, from, to);
    this.pos += n;
    return this;
  }

  /** What was written, as bytes: a view of the writer's buffer, valid until the writer is reset. */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Empty again, its buffer kept: a writer used over and over allocates once (0235). */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Bytes its buffer holds, written or not. */
  get capacity(): number {
    return this.buf.length;
  }

  /** A str header for n bytes, with room after it for n bytes. */
  private header(n: number): void {
    this.room(5 + n);
    const b = this.buf;
    if (n < 32) b[this.pos++] = 0xa0 | n;
    else if (n < 0x100) {
      b[this.pos] = 0xd9;
      b[this.pos + 1] = n;
      this.pos += 2;
    } else if (n < 0x10000) {
      b[this.pos] = 0xda;
      b[this.pos + 1] = n >>> 8;
      b[this.pos + 2] = n & 0xff;
      this.pos += 3;
    } else {
      b[this.pos++] = 0xdb;
      this.be32(n);
    }
  }

  /**
   * Copies s when it is all ASCII (its characters are its UTF-8 bytes); false, with the cursor
   * wherever it stopped, at its first other character. A long string is checked natively first.
   */
  private ascii(s: string): boolean {
    const len = s.length;
    if (len > 48) {
      if (Buffer.byteLength(s, 'utf8') !== len) return false;
      this.pos += this.buf.write(s, this.pos, len, 'latin1');
      return true;
    }
    const end = writeAscii(this.buf, this.pos, s);
    if (end < 0) return false;
    this.pos = end;
    return true;
  }

  /** The bytes of s's first `digits` hex digits at `at`; where they end. Throws on a non-digit. */
  private hex(s: string, digits: number, at: number): number {
    if ((digits & 1) !== 0 || s.length < digits) throw new RangeError(`not ${digits} hex digits: '${s}'`);
    const b = this.buf;
    for (let i = 0; i < digits; i += 2) {
      const hi = NIBBLE[s.charCodeAt(i)] ?? -1;
      const lo = NIBBLE[s.charCodeAt(i + 1)] ?? -1;
      if ((hi | lo) < 0) throw new RangeError(`not ${digits} lowercase hex digits: '${s}'`);
      b[at++] = (hi << 4) | lo;
    }
    return at;
  }

  /** A str of s's UTF-8 bytes, header and all, at the cursor. */
  private utf8(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.header(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  private be32(n: number): void {
    const b = this.buf;
    b[this.pos] = n >>> 24;
    b[this.pos + 1] = (n >>> 16) & 0xff;
    b[this.pos + 2] = (n >>> 8) & 0xff;
    b[this.pos + 3] = n & 0xff;
    this.pos += 4;
  }

  /** Room for n more bytes. */
  private room(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

/** A lowercase hex digit's value by character code; -1 for any other ASCII character. */
const NIBBLE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) t[97 + i] = 10 + i;
  return t;
})();

/** A str that is not UTF-8 (a tap's field, PackWriter.bytes) comes back as its bytes. */
export type Unpacked = string | number | Buffer | Unpacked[];

/** The values of a buffer `PackWriter` wrote, in order; throws on anything else. */
export function unpack(buf: Uint8Array): Unpacked[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const str = (from: number, to: number): string | Buffer => {
    const s = b.toString('utf8', from, to);
    const bytes = b.subarray(from, to);
    return Buffer.from(s, 'utf8').equals(bytes) ? s : Buffer.from(bytes);
  };
  const need = (n: number) => {
    if (pos + n > b.length) throw new RangeError(`MessagePack truncated at byte ${pos}`);
  };
  const value = (): Unpacked => {
    need(1);
    const t = b[pos++]!;
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x90) return items(t & 0x0f);
    if ((t & 0xe0) === 0xa0) {
      const n = t & 0x1f;
      need(n);
      pos += n;
      return str(pos - n, pos);
    }
    const sized = (n: number, read: (at: number) => number) => {
      need(n);
      const v = read(pos);
      pos += n;
      return v;
    };
    const text = (n: number) => {
      need(n);
      const s = str(pos, pos + n);
      pos += n;
      return s;
    };
    switch (t) {
      case 0xcd:
        return sized(2, (at) => b.readUInt16BE(at));
      case 0xce:
        return sized(4, (at) => b.readUInt32BE(at));
      case 0xd2:
        return sized(4, (at) => b.readInt32BE(at));
      case 0xd9:
        return text(sized(1, (at) => b[at]!));
      case 0xda:
        return text(sized(2, (at) => b.readUInt16BE(at)));
      case 0xdb:
        return text(sized(4, (at) => b.readUInt32BE(at)));
      case 0xdc:
        return items(sized(2, (at) => b.readUInt16BE(at)));
      case 0xdd:
        return items(sized(4, (at) => b.readUInt32BE(at)));
      default:
        throw new RangeError(
          `MessagePack type 0x${t.toString(16)} at byte ${pos - 1} is not one the commit uses`,
        );
    }
  };
  const items = (n: number): Unpacked[] => {
    const out: Unpacked[] = [];
    for (let i = 0; i < n; i++) out.push(value());
    return out;
  };
  const out: Unpacked[] = [];
  while (pos < b.length) out.push(value());
  return out;
}
