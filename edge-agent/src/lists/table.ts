// A compact open-addressing hash table keyed by card tokens, in two typed arrays: no JS object
// per card, so ten million cards fit in about 110 MB and a lookup is a few array reads.
//
// Keys are the first `words` 32-bit words of the 16-byte token: 4 (the whole token, exact) for
// the deny list, 2 (a 64-bit prefix) for the flags list, where a prefix collision can only
// misattribute concession flags (docs/decisions/0050-signed-compact-lists.md has the analysis).
// Tokens are HMAC outputs, uniformly distributed, so the first word is the hash. Linear probing
// with backward-shift deletion (no tombstones, so lookups stay short however many removals).
// The home slot is floor(first word × capacity / 2^32): a multiply, where % on a uint32 above
// 2^31 would take V8's slow floating-point path.
// A value of 0 marks an empty slot (stored values are never 0); a token whose key words are all
// zero (chance 2^-64 or less) is stored with its last word's low bit set.

/** Fill ratio a table is sized for when built or grown. */
const TARGET_LOAD = 0.8;
/** Grows (rehash, ×1.5) beyond this fill ratio: linear-probing misses stay under ~25 probes. */
const MAX_LOAD = 0.88;
const MIN_CAPACITY = 1024;

export class TokenTable {
  keys: Uint32Array;
  vals: Uint8Array;
  private count = 0;
  /** capacity / 2^32: the home slot of a key is floor(first word × scale), in [0, capacity). */
  private scale: number;

  constructor(
    readonly words: 2 | 4,
    capacity = MIN_CAPACITY,
  ) {
    const cap = Math.max(MIN_CAPACITY, Math.ceil(capacity));
    this.keys = new Uint32Array(cap * words);
    this.vals = new Uint8Array(cap);
    this.scale = cap / 2 ** 32;
  }

  /** A table sized for n entries at the target load. */
  static sizedFor(words: 2 | 4, n: number): TokenTable {
    return new TokenTable(words, n / TARGET_LOAD);
  }

  /** Rebuilds a table from persisted arrays (persist.ts checks their sizes and checksum). */
  static fromArrays(words: 2 | 4, keys: Uint32Array, vals: Uint8Array, count: number): TokenTable {
    const t = new TokenTable(words, MIN_CAPACITY);
    t.keys = keys;
    t.vals = vals;
    t.count = count;
    t.scale = vals.length / 2 ** 32;
    return t;
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.vals.length;
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  /** Value for the token at buf[off..off+16), 0 when absent. */
  get(buf: Uint8Array, off = 0): number {
    const i = this.find(buf, off);
    return i < 0 ? 0 : this.vals[i]!;
  }

  /** Sets a non-zero value; 0 deletes. One probe sequence finds the entry or its new slot. */
  set(buf: Uint8Array, off: number, value: number): void {
    if (value === 0) {
      this.delete(buf, off);
      return;
    }
    if (this.count + 1 > this.capacity * MAX_LOAD) this.grow();
    // Written out for both key widths: this loop builds ten million entries from a snapshot.
    const { keys, vals, words } = this;
    const cap = vals.length;
    const k0 = readWord(buf, off);
    let k1 = readWord(buf, off + 4);
    let k2 = 0;
    let k3 = 0;
    if (words === 4) {
      k2 = readWord(buf, off + 8);
      k3 = readWord(buf, off + 12);
      if ((k0 | k1 | k2 | k3) === 0) k3 = 1;
    } else if ((k0 | k1) === 0) k1 = 1;
    let i = Math.floor(k0 * this.scale);
    while (vals[i] !== 0) {
      const b = i * words;
      if (
        keys[b] === k0 &&
        keys[b + 1] === k1 &&
        (words === 2 || (keys[b + 2] === k2 && keys[b + 3] === k3))
      ) {
        vals[i] = value;
        return;
      }
      i = i + 1 === cap ? 0 : i + 1;
    }
    const b = i * words;
    keys[b] = k0;
    keys[b + 1] = k1;
    if (words === 4) {
      keys[b + 2] = k2;
      keys[b + 3] = k3;
    }
    vals[i] = value;
    this.count++;
  }

  delete(buf: Uint8Array, off: number): boolean {
    let i = this.find(buf, off);
    if (i < 0) return false;
    const { keys, vals, words } = this;
    const cap = this.capacity;
    // Backward shift: move later members of the cluster into the hole when their home slot
    // does not lie cyclically in (hole, j].
    let j = i;
    for (;;) {
      j = j + 1 === cap ? 0 : j + 1;
      if (this.isEmpty(j)) break;
      const home = Math.floor(keys[j * words]! * this.scale);
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      keys.copyWithin(i * words, j * words, j * words + words);
      vals[i] = vals[j]!;
      i = j;
    }
    keys.fill(0, i * words, i * words + words);
    vals[i] = 0;
    this.count--;
    return true;
  }

  /** Every entry: the key words (a view, valid during the call) and the value. */
  forEach(visit: (key: Uint32Array, value: number) => void): void {
    for (let i = 0; i < this.capacity; i++)
      if (!this.isEmpty(i))
        visit(this.keys.subarray(i * this.words, i * this.words + this.words), this.vals[i]!);
  }

  private find(buf: Uint8Array, off: number): number {
    const { keys, vals, words } = this;
    const cap = vals.length;
    const k0 = readWord(buf, off);
    let k1 = readWord(buf, off + 4);
    let k2 = 0;
    let k3 = 0;
    if (words === 4) {
      k2 = readWord(buf, off + 8);
      k3 = readWord(buf, off + 12);
      if ((k0 | k1 | k2 | k3) === 0) k3 = 1;
    } else if ((k0 | k1) === 0) k1 = 1;
    let i = Math.floor(k0 * this.scale);
    // An occupied slot always holds a non-zero value, so vals tells empty slots apart.
    while (vals[i] !== 0) {
      const b = i * words;
      if (keys[b] === k0 && keys[b + 1] === k1 && (words === 2 || (keys[b + 2] === k2 && keys[b + 3] === k3)))
        return i;
      i = i + 1 === cap ? 0 : i + 1;
    }
    return -1;
  }

  private isEmpty(i: number): boolean {
    return this.vals[i] === 0;
  }

  /** Rehash into 1.5× the slots. Rare: a snapshot sizes the table for its whole content. */
  private grow(): void {
    const old = this.keys;
    const oldVals = this.vals;
    const words = this.words;
    const cap = Math.ceil(this.capacity * 1.5);
    this.keys = new Uint32Array(cap * words);
    this.vals = new Uint8Array(cap);
    this.scale = cap / 2 ** 32;
    for (let j = 0; j < oldVals.length; j++) {
      if (oldVals[j] === 0) continue;
      let i = Math.floor(old[j * words]! * this.scale);
      while (this.vals[i] !== 0) i = i + 1 === cap ? 0 : i + 1;
      this.keys.set(old.subarray(j * words, j * words + words), i * words);
      this.vals[i] = oldVals[j]!;
    }
  }
}

function readWord(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
