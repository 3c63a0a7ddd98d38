// A command written as RESP bytes by the store, once, for ioredis to send as it is
// (WrittenCommand in redis-client.ts, docs/decisions/0233). ioredis turns a command with a
// Buffer argument into bytes by measuring every string argument three times, joining strings
// and buffers in a list and copying it all into a new buffer; auto-pipelining then copies the
// pipeline's commands into one more. For the module's commit (a key per card and partition, the
// frames and the effects), that was a tenth of the gateway's CPU a tap. Here each string is
// measured once and every byte copied once. Pure: no client here.

/** A command's part: a number goes as its decimal string, as ioredis sends it. */
export type Part = string | number | Buffer;

/** The lengths of a command's string parts, kept between calls (one command is built at a time). */
let lengths = new Int32Array(1024);

/** Decimal digits of a non-negative integer below 2^31. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = (n / 10) | 0;
    d++;
  }
  return d;
}

function writeDecimal(buf: Buffer, at: number, n: number): number {
  const end = at + digits(n);
  let i = end;
  do {
    buf[--i] = 48 + (n % 10);
    n = (n / 10) | 0;
  } while (n > 0);
  return end;
}

/** "$<len>\r\n" */
function writeHeader(buf: Buffer, at: number, mark: number, len: number): number {
  buf[at] = mark;
  at = writeDecimal(buf, at + 1, len);
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
  middle: readonly Part[],
  tail: readonly Part[],
): Buffer {
  const count = 1 + head.length + middle.length + tail.length;
  if (lengths.length < count) lengths = new Int32Array(count * 2);
  // Room for each part's "$<len>\r\n" (at most 13 bytes) and "\r\n", and its bytes.
  let bytes = 16;
  let i = 0;
  for (const list of [[name], head, middle, tail] as const)
    for (const p of list) {
      const part = typeof p === 'number' ? String(p) : p;
      const len = typeof part === 'string' ? Buffer.byteLength(part) : part.length;
      lengths[i++] = len;
      bytes += 15 + len;
    }
  const buf = Buffer.allocUnsafe(bytes);
  let at = writeHeader(buf, 0, 42, count);
  i = 0;
  for (const list of [[name], head, middle, tail] as const)
    for (const p of list) {
      const part = typeof p === 'number' ? String(p) : p;
      const len = lengths[i++]!;
      at = writeHeader(buf, at, 36, len);
      if (typeof part !== 'string') at += part.copy(buf, at);
      // A string of as many bytes as characters is ASCII: latin1 writes it without decoding.
      else at += buf.write(part, at, len, len === part.length ? 'latin1' : 'utf8');
      buf[at] = 13;
      buf[at + 1] = 10;
      at += 2;
    }
  return buf.subarray(0, at);
}
