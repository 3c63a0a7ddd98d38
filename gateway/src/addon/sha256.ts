// SHA-256 of the short pieces the tap path hashes, twice a tap (docs/decisions/0247): a tap's
// content for its claim (ingest/digest.ts) and its dedupe key for its field in the day bucket
// (store/redis-keys.ts). The gateway's addon (sha256.c, built by scripts/node-addon.sh) where it
// loads, node:crypto otherwise: both give the same digests, the addon at about half the cost a
// call (crypto.hash looks its algorithm up, makes a Hash and writes 64 hex digits every time).
//
// `sha256` is the backend in use; `sha256Backends` every one that loads here (the contract test
// runs them all against createHash).
import { hash } from 'node:crypto';
import { createRequire } from 'node:module';

export interface Sha256 {
  readonly name: 'addon' | 'node:crypto';
  /** The first `chars` (1 to 64) lowercase hex digits of SHA-256 of bytes[from, to). */
  hex(bytes: Buffer, from: number, to: number, chars: number): string;
  /** Writes the first `n` (1 to 32) bytes of SHA-256 of the text's UTF-8 into out[at, at + n). */
  into(text: string, out: Buffer, at: number, n: number): void;
}

/** The addon's functions (sha256.c). */
interface Addon {
  hex(bytes: Buffer, from: number, to: number, chars: number): string;
  /** False, with nothing written, for a text of 1,020 UTF-8 bytes or more: hashed here then. */
  into(text: string, out: Buffer, at: number, n: number): boolean;
}

const nodeCrypto: Sha256 = {
  name: 'node:crypto',
  hex(bytes, from, to, chars) {
    checkRange(bytes, from, to, chars);
    return hash('sha256', bytes.subarray(from, to), 'hex').slice(0, chars);
  },
  into(text, out, at, n) {
    checkInto(out, at, n);
    (hash('sha256', text, 'buffer') as Buffer).copy(out, at, 0, n);
  },
};

function checkRange(bytes: Buffer, from: number, to: number, chars: number): void {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= bytes.length))
    throw new RangeError(`hex: not a range of ${bytes.length} bytes: ${from} to ${to}`);
  if (!(Number.isInteger(chars) && chars >= 1 && chars <= 64))
    throw new RangeError(`hex: ${chars} digits (1 to 64)`);
}

function checkInto(out: Buffer, at: number, n: number): void {
  if (!(Number.isInteger(n) && n >= 1 && n <= 32 && Number.isInteger(at) && at >= 0 && at + n <= out.length))
    throw new RangeError(`into: ${n} bytes at ${at} of ${out.length}`);
}

function addon(): Sha256 | undefined {
  let a: Addon;
  try {
    a = createRequire(import.meta.url)('./build/onecard.node') as Addon;
  } catch {
    return undefined;
  }
  return {
    name: 'addon',
    // The addon's own function (it reads no `this`): no call in between on the tap path.
    hex: a.hex,
    into(text, out, at, n) {
      if (!a.into(text, out, at, n)) nodeCrypto.into(text, out, at, n);
    },
  };
}

const built = addon();

/** Every backend that loads here, the one in use first. */
export const sha256Backends: readonly Sha256[] = built ? [built, nodeCrypto] : [nodeCrypto];

/** The backend in use: the addon where it loads. */
export const sha256: Sha256 = sha256Backends[0]!;
