// A command written as RESP bytes by the store, once, for ioredis to send as it is
// (WrittenCommand in redis-client.ts, docs/decisions/0233). ioredis turns a command with a
// Buffer argument into bytes by measuring every string argument three times, joining strings
// and buffers in a list and copying it all into a new buffer; auto-pipelining then copies the
// pipeline's commands into one more. For the module's commit (a key per card and partition, the
// frames and the effects), that was a tenth of the gateway's CPU a tap. Here each string is
// measured once and every byte copied once. Pure: no client here.
import { writeAscii, writeInt } from '../text-bytes.js';

/** A command's part: a number goes as its decimal string, as ioredis sends it. */
export type Part = string | number | Buffer | Joined;

/** What made a Joined's parts, and how many times it has started again (CommitScratch). */
export interface Reused {
  readonly generation: number;
}

/**
 * One argument's bytes as parts not yet joined: views of buffers that are reused (the commit's
 * scratch, redis-commit.ts), copied once, by encodeCommand into the command, instead of joined
 * into a Buffer and copied again (docs/decisions/0236). Valid only while its owner has not
 * started again: any read after that throws rather than send another commit's bytes.
 */
export class Joined {
  private readonly generation: number;

  constructor(
    readonly parts: readonly Uint8Array[],
    readonly length: number,
    private readonly owner: Reused,
  ) {
    this.generation = owner.generation;
  }

  /** Throws when the bytes it views were reused. */
  check(): void {
    if (this.owner.generation !== this.generation)
      throw new Error('an argument read after its buffers were reused (a commit built since it)');
  }

  /** Copies the bytes to buf at `at`; the end. */
  copyTo(buf: Buffer, at: number): number {
    this.check();
    for (const p of this.parts) {
      buf.set(p, at);
      at += p.length;
    }
    return at;
  }

  /** The bytes as one Buffer of their own (a copy): for a path that keeps them past this turn. */
  toBuffer(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.copyTo(out, 0);
    return out;
  }
}

/** Every Joined argument as a Buffer of its own; the list itself when there is none. */
export function ownedParts<T>(parts: readonly (T | Joined)[]): T[] {
  if (!parts.some((p) => p instanceof Joined)) return parts as T[];
  return parts.map((p) => (p instanceof Joined ? (p.toBuffer() as T) : p));
}

/**
 * Keys written each as a head and a tail, with no string made of the key: a card's key is its
 * partition's head and its token (RedisKeys.cardHead). Built as one concatenation a card, such a
 * key was then flattened by its first read, ~60 ns and ~100 bytes of heap a card of a turn's
 * card read (docs/decisions/0244). heads[i] + tails[i] is key i.
 */
export class SplitKeys {
  constructor(
    readonly heads: readonly string[],
    readonly tails: readonly string[],
  ) {
    if (heads.length !== tails.length) throw new RangeError('a split key needs one head and one tail');
  }

  get length(): number {
    return this.tails.length;
  }

  /** Key i as one string (for a path that sends strings). */
  at(i: number): string {
    return this.heads[i]! + this.tails[i]!;
  }

  /** Every key as one string. */
  joined(): string[] {
    const out = new Array<string>(this.tails.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }
}

/** Key i of a list of keys, split or not, as one string. */
export function keyAt(keys: readonly string[] | SplitKeys, i: number): string {
  return keys instanceof SplitKeys ? keys.at(i) : keys[i]!;
}

/**
 * The lengths of a command's parts, kept between calls (one command is built at a time); -1 for
 * a short string, measured as it is written.
 */
let lengths = new Int32Array(1024);

/** "$<len>\r\n" */
function writeHeader(buf: Buffer, at: number, mark: number, len: number): number {
  buf[at] = mark;
  at = writeInt(buf, at + 1, len, 10);
  buf[at] = 13;
  buf[at + 1] = 10;
  return at + 2;
}

/**
 * RESP bytes of the command `name` with the arguments `head`, then `middle`, then `tail` (three
 * lists, so a caller need not join them into a new array: a module command's key count, keys and
 * arguments). Strings go as UTF-8, numbers as decimal strings.
 */
export function encodeCommand(
  name: string,
  head: readonly Part[],
  middle: readonly Part[] | SplitKeys,
  tail: readonly Part[],
  /** The buffer to write into, at least `bytes` long (a reused one, SendBuffers); default a new one. */
  into: (bytes: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  const split = middle instanceof SplitKeys ? middle : undefined;
  const parts = split ? NONE : (middle as readonly Part[]);
  const count = 1 + head.length + middle.length + tail.length;
  if (lengths.length < count) lengths = new Int32Array(count * 2);
  // Room for each part's "$<len>\r\n" (at most 13 bytes) and "\r\n", and its bytes: a short
  // string's at most 3 a UTF-16 unit, not measured here (SHORT), a long one's measured. A split
  // key is written as a short string is, whatever its length.
  let bytes = 16;
  if (split)
    for (let k = 0; k < split.tails.length; k++)
      bytes += 15 + (split.heads[k]!.length + split.tails[k]!.length) * 3;
  let i = 0;
  for (const list of [[name], head, parts, tail] as const)
    for (const p of list) {
      const part = typeof p === 'number' ? String(p) : p;
      let len: number;
      if (typeof part !== 'string') {
        if (part instanceof Joined) part.check();
        len = part.length;
      } else if (part.length <= SHORT) {
        lengths[i++] = -1;
        bytes += 15 + part.length * 3;
        continue;
      } else len = Buffer.byteLength(part);
      lengths[i++] = len;
      bytes += 15 + len;
    }
  const buf = into(bytes);
  let at = writeHeader(buf, 0, 42, count);
  i = 0;
  const lists = [[name], head, parts, tail] as const;
  for (let l = 0; l < lists.length; l++) {
    // The split keys go where the middle list would (it is empty then).
    if (l === 2 && split)
      for (let k = 0; k < split.tails.length; k++) at = writeSplit(buf, at, split.heads[k]!, split.tails[k]!);
    for (const p of lists[l]!) {
      const part = typeof p === 'number' ? String(p) : p;
      const len = lengths[i++]!;
      if (len < 0) at = writeShort(buf, at, part as string);
      else {
        at = writeHeader(buf, at, 36, len);
        if (part instanceof Joined) at = part.copyTo(buf, at);
        else if (typeof part !== 'string') at += part.copy(buf, at);
        // A string of as many bytes as characters is ASCII: latin1 writes it without decoding.
        else at += buf.write(part, at, len, len === part.length ? 'latin1' : 'utf8');
      }
      buf[at] = 13;
      buf[at + 1] = 10;
      at += 2;
    }
  }
  return buf.subarray(0, at);
}

const NONE: readonly Part[] = [];

/**
 * Strings up to this many characters (keys, counts, times) are copied by a loop while they are
 * ASCII (docs/decisions/0240): for a key of ~60 characters, measuring it and writing it natively
 * were two calls into C++ that cost more than the loop, twice a tap (its card's key in the card
 * read and in the commit).
 */
const SHORT = 128;

/** A short string's "$<len>\r\n" and bytes at `at` (room for 3 bytes a unit is there); the end. */
function writeShort(buf: Buffer, at: number, s: string): number {
  const end = writeAscii(buf, writeHeader(buf, at, 36, s.length), s);
  if (end >= 0) return end;
  // Not ASCII: its header says its UTF-8 bytes, written natively.
  const n = Buffer.byteLength(s);
  const from = writeHeader(buf, at, 36, n);
  return from + buf.write(s, from, n, 'utf8');
}

/** A split key's "$<len>\r\n", bytes and "\r\n" at `at` (room for 3 bytes a unit is there); the end. */
function writeSplit(buf: Buffer, at: number, head: string, tail: string): number {
  const from = writeHeader(buf, at, 36, head.length + tail.length);
  const mid = writeAscii(buf, from, head);
  let end = mid < 0 ? -1 : writeAscii(buf, mid, tail);
  // Not ASCII: the key as one string, its header its UTF-8 bytes.
  if (end < 0) end = writeShort(buf, at, head + tail);
  buf[end] = 13;
  buf[end + 1] = 10;
  return end + 2;
}

/**
 * The arguments of a command encodeCommand wrote, after its name: views of `bytes` (nothing
 * copied). For a command sent and refused before it ran, to send its arguments another way when
 * their Joined parts may have been reused since (redis-scripts.ts). Throws on bytes that are not
 * one RESP array of bulk strings.
 */
export function commandArguments(bytes: Buffer): Buffer[] {
  let at = 0;
  const number = (mark: number): number => {
    if (bytes[at] !== mark) throw new Error(`not a written command: byte ${at}`);
    let n = 0;
    at++;
    while (bytes[at] !== 13) {
      const d = bytes[at]! - 48;
      if (d < 0 || d > 9 || at >= bytes.length) throw new Error(`not a written command: byte ${at}`);
      n = n * 10 + d;
      at++;
    }
    at += 2;
    return n;
  };
  const count = number(42);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const len = number(36);
    if (at + len + 2 > bytes.length) throw new Error('not a written command: cut short');
    if (i > 0) out.push(bytes.subarray(at, at + len));
    at += len + 2;
  }
  return out;
}
