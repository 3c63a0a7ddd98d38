// The commit script's argument codec (lua/commitEffects-0.lua, docs/decisions/0217): each effect
// as one MessagePack array, all of a call's effects in one Buffer. Redis unpacks it with its
// built-in cmsgpack, one C call per effect; a tab-joined string split with a Lua pattern cost
// Redis ~0.5 µs a field. Only what the script needs: arrays, strings, and integers that fit 32
// bits (key numbers, lengths, counts); every other number goes as a decimal string, so Redis
// stores exactly what the gateway computed. Pure; `unpack` is its inverse, for tests and tools.

/** One-character strings of the byte values 0-255: MessagePack bytes as a latin1 string. */
const BYTE = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

/**
 * Whether every character is ASCII: its UTF-8 bytes are its characters. A JIT-compiled loop for
 * short strings; for a long one (a record's JSON) Buffer.byteLength, whose native scan of a
 * one-byte string is far faster than the loop once past its call's cost.
 */
function isAscii(s: string): boolean {
  if (s.length > 48) return Buffer.byteLength(s, 'utf8') === s.length;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * MessagePack values written as one latin1 string (a character per byte), made a Buffer once in
 * `finish`: V8 joins short strings far cheaper than Buffer.write copies each into a buffer (one
 * native call per field, ~0.1 µs). A string is taken as its UTF-8 bytes: as it is when ASCII
 * (nearly every field: ids, hex, decimal numbers, JSON of those), else through Buffer.
 */
export class PackWriter {
  private out = '';

  /** An array header: the next n values are its items. */
  array(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not an array length: ${n}`);
    if (n < 16) this.out += BYTE[0x90 | n]!;
    else if (n < 0x10000) this.out += BYTE[0xdc]! + BYTE[n >>> 8]! + BYTE[n & 0xff]!;
    else this.out += BYTE[0xdd]! + be32(n);
    return this;
  }

  /** An integer from −2^31 to 2^32 − 1; anything else is a RangeError (send it as a string). */
  int(n: number): this {
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff)
      throw new RangeError(`not a 32-bit integer: ${n}`);
    if (n >= 0 && n < 0x80) this.out += BYTE[n]!;
    else if (n < 0 && n >= -32) this.out += BYTE[n & 0xff]!;
    else if (n >= 0 && n < 0x10000) this.out += BYTE[0xcd]! + BYTE[n >>> 8]! + BYTE[n & 0xff]!;
    else if (n >= 0) this.out += BYTE[0xce]! + be32(n);
    else this.out += BYTE[0xd2]! + be32(n >>> 0);
    return this;
  }

  /** A string as UTF-8 (fixstr, str 8, 16 or 32, by its byte length). */
  str(s: string): this {
    const bytes = isAscii(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
    this.out += strHeader(bytes.length) + bytes;
    return this;
  }

  /**
   * A number as the str of its decimal form (what String(n) gives): no ASCII check, a number's
   * form is ASCII (docs/decisions/0219).
   */
  decimal(n: number): this {
    const s = String(n);
    this.out += strHeader(s.length) + s;
    return this;
  }

  /**
   * The str `${a}\n${b}\n${c}` (two numbers in decimal, then any string) written from its parts:
   * no joined string is built and scanned first (a card's head, 0214; docs/decisions/0219).
   */
  lines(a: number, b: number, c: string): this {
    const as = String(a);
    const bs = String(b);
    const cs = isAscii(c) ? c : Buffer.from(c, 'utf8').toString('latin1');
    this.out += strHeader(as.length + bs.length + cs.length + 2) + as + '\n' + bs + '\n' + cs;
    return this;
  }

  /** What was written, as bytes. */
  finish(): Buffer {
    return Buffer.from(this.out, 'latin1');
  }
}

/** A str's header for n bytes: fixstr, str 8, 16 or 32. */
function strHeader(n: number): string {
  if (n < 32) return BYTE[0xa0 | n]!;
  if (n < 0x100) return BYTE[0xd9]! + BYTE[n]!;
  if (n < 0x10000) return BYTE[0xda]! + BYTE[n >>> 8]! + BYTE[n & 0xff]!;
  return BYTE[0xdb]! + be32(n);
}

/** An unsigned 32-bit integer as four big-endian byte characters. */
function be32(n: number): string {
  return BYTE[n >>> 24]! + BYTE[(n >>> 16) & 0xff]! + BYTE[(n >>> 8) & 0xff]! + BYTE[n & 0xff]!;
}

export type Unpacked = string | number | Unpacked[];

/** The values of a buffer `PackWriter` wrote, in order; throws on anything else. */
export function unpack(buf: Uint8Array): Unpacked[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
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
      return b.toString('utf8', pos - n, pos);
    }
    const sized = (n: number, read: (at: number) => number) => {
      need(n);
      const v = read(pos);
      pos += n;
      return v;
    };
    const text = (n: number) => {
      need(n);
      const s = b.toString('utf8', pos, pos + n);
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
