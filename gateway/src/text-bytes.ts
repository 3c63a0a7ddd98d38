// ASCII text and whole numbers written straight into a buffer, for the byte writers of the tap
// path (the commit's MessagePack columns, RESP commands, the content digest): a loop the JIT
// compiles, where a string made first (String(n), a join) or a native write per short field
// costs more (docs/decisions/0219, 0240). Pure.

/** Characters of a safe integer in the radix (2 to 36), as toString(radix) writes it: '-' included, −0 is "0". */
export function intLength(n: number, radix: number): number {
  let len = 1;
  if (n < 0) {
    len++;
    n = -n;
  }
  while (n >= radix) {
    n = Math.floor(n / radix);
    len++;
  }
  return len;
}

/** A safe integer as toString(radix) writes it (lowercase letters), at `at`; where it ends. */
export function writeInt(b: Uint8Array, at: number, n: number, radix: number): number {
  if (n < 0) {
    b[at++] = 0x2d;
    n = -n;
  }
  const end = at + intLength(n, radix);
  let p = end;
  do {
    const d = n % radix;
    b[--p] = d < 10 ? 48 + d : 87 + d;
    n = Math.floor(n / radix);
  } while (n > 0);
  return end;
}

/** s's characters as bytes at `at` while they are ASCII; where they end, or −1 at the first that is not. */
export function writeAscii(b: Uint8Array, at: number, s: string): number {
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return -1;
    b[at + i] = c;
  }
  return at + len;
}
