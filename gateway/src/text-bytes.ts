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
  if (radix === 10) return len - 1 + decimalLength(n);
  // Above 2^31 in floating point, below it in int32 arithmetic (see writeInt).
  while (n >= INT32_LIMIT) {
    n = Math.floor(n / radix);
    len++;
  }
  let x = n | 0;
  while (x >= radix) {
    x = (x / radix) | 0;
    len++;
  }
  return len;
}

/** Decimal digits of a whole number 0 ≤ n < 10^16, by comparisons: no division. */
function decimalLength(n: number): number {
  if (n < 1e8) {
    if (n < 1e4) return n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : 4;
    return n < 1e6 ? (n < 1e5 ? 5 : 6) : n < 1e7 ? 7 : 8;
  }
  if (n < 1e12) return n < 1e10 ? (n < 1e9 ? 9 : 10) : n < 1e11 ? 11 : 12;
  return n < 1e14 ? (n < 1e13 ? 13 : 14) : n < 1e15 ? 15 : 16;
}

/** 2^31: below it a whole number fits int32 arithmetic. */
const INT32_LIMIT = 0x80000000;

/** A safe integer as toString(radix) writes it (lowercase letters), at `at`; where it ends. */
export function writeInt(b: Uint8Array, at: number, n: number, radix: number): number {
  if (n < 0) {
    b[at++] = 0x2d;
    n = -n;
  }
  const end = at + intLength(n, radix);
  let p = end;
  // A time in ms is above 2^31: its low digits in floating point, with no % (a double's % is a
  // call to fmod, ~7 ns a digit; a 13-digit time took ~100 ns), the rest in int32 arithmetic,
  // where the JIT divides by a constant radix with a multiply.
  while (n >= INT32_LIMIT) {
    const q = Math.floor(n / radix);
    const d = n - q * radix;
    b[--p] = d < 10 ? 48 + d : 87 + d;
    n = q;
  }
  let x = n | 0;
  do {
    const q = (x / radix) | 0;
    const d = x - q * radix;
    b[--p] = d < 10 ? 48 + d : 87 + d;
    x = q;
  } while (x > 0);
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
