// Property tests of the QR decoders: random and mutated inputs never throw and never verify.
// Seeded, so a failure reproduces: the seed and the case index are in the test name/message.
import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode, QR_PREFIX, verifyQr } from '../../../core/credentials/index.js';
import { mulberry32 as prng } from '../../../core/random.js';
import { app, context, NOW, policy, ticket } from './fixtures.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const RUNS = 3000;

function mutate(bytes: Buffer, r: () => number): Buffer {
  const b = Buffer.from(bytes);
  const int = (n: number) => Math.floor(r() * n);
  switch (int(6)) {
    case 0: // flip one bit
      b[int(b.length)]! ^= 1 << int(8);
      return b;
    case 1: // overwrite a run with random bytes
      for (let i = int(b.length), n = 1 + int(8); n > 0 && i < b.length; i++, n--) b[i] = int(256);
      return b;
    case 2: // truncate
      return b.subarray(0, int(b.length));
    case 3: // insert bytes
      return Buffer.concat([
        b.subarray(0, int(b.length)),
        Buffer.from([int(256), int(256)]),
        b.subarray(int(b.length)),
      ]);
    case 4: // append
      return Buffer.concat([b, Buffer.from([int(256)])]);
    default: // swap two bytes that differ
      for (let k = 0; k < 10; k++) {
        const i = int(b.length);
        const j = int(b.length);
        if (b[i] !== b[j]) {
          [b[i], b[j]] = [b[j]!, b[i]!];
          return b;
        }
      }
      b[0]! ^= 0x80;
      return b;
  }
}

const pol = policy();
const ctx = context();

function expectRefused(text: string, label: string): void {
  let verdict: ReturnType<typeof verifyQr> | undefined;
  try {
    verdict = verifyQr(text, pol, ctx);
  } catch (err) {
    expect.fail(`${label} threw ${(err as Error).message}: ${text.slice(0, 60)}`);
  }
  if (verdict?.ok !== false) expect.fail(`${label} verified: ${text.slice(0, 60)}`);
}

describe('QR decoders under random and mutated input', () => {
  it.each([1, 2, 3])('random bytes behind the prefix never throw and never verify (seed %i)', (seed) => {
    const r = prng(seed);
    for (let i = 0; i < RUNS; i++) {
      const len = Math.floor(r() * 260);
      const bytes = Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
      // Half of them start like a real payload, so the parsers past the type byte get exercised.
      if (i % 2 === 0 && len > 2) {
        bytes[0] = 1;
        bytes[1] = r() < 0.5 ? 0x44 : 0x54;
      }
      expectRefused(QR_PREFIX + base45Encode(bytes), `seed ${seed} case ${i}`);
    }
  });

  it.each([4, 5])('random text never throws and never verifies (seed %i)', (seed) => {
    const r = prng(seed);
    for (let i = 0; i < RUNS; i++) {
      const len = Math.floor(r() * 400);
      let text = i % 2 === 0 ? QR_PREFIX : '';
      for (let k = 0; k < len; k++)
        text += i % 3 === 0 ? String.fromCharCode(Math.floor(r() * 0xffff)) : ALPHABET[Math.floor(r() * 45)];
      expectRefused(text, `seed ${seed} case ${i}`);
    }
  });

  it.each([6, 7])('mutations of genuine codes and tickets never verify (seed %i)', (seed) => {
    const r = prng(seed);
    const holder = app();
    const genuine = [holder.codeBytes(NOW), Buffer.from(base45Decode(ticket().slice(3))!)];
    for (let i = 0; i < RUNS; i++) {
      const original = genuine[i % 2]!;
      const mutated = mutate(original, r);
      if (mutated.equals(original)) continue;
      expectRefused(QR_PREFIX + base45Encode(mutated), `seed ${seed} case ${i}`);
    }
  });

  it('mutations of the text itself never verify', () => {
    const r = prng(8);
    const text = app().code(NOW);
    for (let i = 0; i < RUNS; i++) {
      const at = Math.floor(r() * text.length);
      const c = ALPHABET[Math.floor(r() * 45)]!;
      if (text[at] === c) continue;
      expectRefused(text.slice(0, at) + c + text.slice(at + 1), `case ${i}`);
    }
  });
});
