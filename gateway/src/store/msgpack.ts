// The commit script's argument codec (lua/commitEffects-0.lua, docs/decisions/0217): each effect
// as one MessagePack array, all of a call's effects in one Buffer. Redis unpacks it with its
// built-in cmsgpack, one C call per effect; a tab-joined string split with a Lua pattern cost
// Redis ~0.5 µs a field. Only what the script needs: arrays, strings, and integers that fit 32
// bits (key numbers, lengths, counts); every other number goes as a decimal string, so Redis
// stores exactly what the gateway computed. Pure; `unpack` is its inverse, for tests and tools.

/** A growing buffer of MessagePack values, written in place (no value object per field). */
export class PackWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An array header: the next n values are its items. */
  array(n: number): this {
    this.room(5);
    if (n < 16) this.buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      this.buf[this.pos] = 0xdc;
      this.buf.writeUInt16BE(n, this.pos + 1);
      this.pos += 3;
    } else {
      this.buf[this.pos] = 0xdd;
      this.buf.writeUInt32BE(n, this.pos + 1);
      this.pos += 5;
    }
    return this;
  }

  /** An integer from −2^31 to 2^32 − 1; anything else is a RangeError (send it as a string). */
  int(n: number): this {
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff)
      throw new RangeError(`not a 32-bit integer: ${n}`);
    this.room(5);
    if (n >= 0 && n < 0x80) this.buf[this.pos++] = n;
    else if (n < 0 && n >= -32) this.buf[this.pos++] = n & 0xff;
    else if (n >= 0 && n < 0x10000) {
      this.buf[this.pos] = 0xcd;
      this.buf.writeUInt16BE(n, this.pos + 1);
      this.pos += 3;
    } else if (n >= 0) {
      this.buf[this.pos] = 0xce;
      this.buf.writeUInt32BE(n, this.pos + 1);
      this.pos += 5;
    } else {
      this.buf[this.pos] = 0xd2;
      this.buf.writeInt32BE(n, this.pos + 1);
      this.pos += 5;
    }
    return this;
  }

  /**
   * A string as UTF-8 (str 8, 16 or 32: the header is chosen from the most bytes it can take,
   * so the string is written once, straight into the buffer).
   */
  str(s: string): this {
    const most = s.length * 3;
    const header = most < 0x100 ? 2 : most < 0x10000 ? 3 : 5;
    this.room(header + most);
    const bytes = this.buf.write(s, this.pos + header, 'utf8');
    if (header === 2) {
      this.buf[this.pos] = 0xd9;
      this.buf[this.pos + 1] = bytes;
    } else if (header === 3) {
      this.buf[this.pos] = 0xda;
      this.buf.writeUInt16BE(bytes, this.pos + 1);
    } else {
      this.buf[this.pos] = 0xdb;
      this.buf.writeUInt32BE(bytes, this.pos + 1);
    }
    this.pos += header + bytes;
    return this;
  }

  /** What was written (a view of the writer's buffer: write nothing more after taking it). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
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
