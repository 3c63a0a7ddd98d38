// The compact token table behaves like a Map from token to a non-zero byte, whatever the mix
// of inserts, updates and deletes (checked against a Map), and grows without losing entries.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../../core/random.js';
import { TokenTable } from '../../../edge-agent/src/lists/table.js';

describe.each([2, 4] as const)('token table keyed by %i words', (words) => {
  it('answers 0 for an absent token and the value for a present one', () => {
    const t = new TokenTable(words);
    const a = randomBytes(16);
    expect(t.get(a)).toBe(0);
    t.set(a, 0, 3);
    expect(t.get(a)).toBe(3);
    t.set(a, 0, 5);
    expect([t.get(a), t.size]).toEqual([5, 1]);
    t.set(a, 0, 0);
    expect([t.get(a), t.size]).toEqual([0, 0]);
  });

  it('matches a Map through 20,000 random operations on clustered keys, across growth', () => {
    const random = rng(words);
    const t = new TokenTable(words);
    const model = new Map<string, number>();
    // Few distinct first words: long probe clusters, the hard case for backward-shift deletion.
    const keys = Array.from({ length: 3000 }, (_, i) => {
      const k = randomBytes(16);
      k.writeUInt32BE(i % 7, 0);
      return k;
    });
    for (let i = 0; i < 20_000; i++) {
      const k = keys[Math.floor(random() * keys.length)]!;
      const v = random() < 0.3 ? 0 : 1 + Math.floor(random() * 255);
      t.set(k, 0, v);
      if (v === 0) model.delete(k.toString('hex'));
      else model.set(k.toString('hex'), v);
    }
    expect(t.size).toBe(model.size);
    for (const k of keys) expect(t.get(k)).toBe(model.get(k.toString('hex')) ?? 0);
  });

  it('stores a token whose key words are all zero', () => {
    const t = new TokenTable(words);
    const zero = Buffer.alloc(16);
    t.set(zero, 0, 2);
    expect(t.get(zero)).toBe(2);
    t.delete(zero, 0);
    expect(t.get(zero)).toBe(0);
  });

  it('reads the token at an offset inside a larger buffer (a record body)', () => {
    const t = new TokenTable(words);
    const body = Buffer.concat([randomBytes(16), Buffer.from([1]), randomBytes(16), Buffer.from([2])]);
    t.set(body, 0, 1);
    t.set(body, 17, 2);
    expect([t.get(body.subarray(0, 16)), t.get(body.subarray(17, 33))]).toEqual([1, 2]);
  });

  it('is sized for a snapshot at about 80 % fill: a few bytes per entry', () => {
    const t = TokenTable.sizedFor(words, 100_000);
    for (let i = 0; i < 100_000; i++) t.set(randomBytes(16), 0, 1);
    expect(t.capacity).toBe(125_000);
    expect(t.bytes / t.size).toBeCloseTo((words * 4 + 1) / 0.8, 1);
  });
});

describe('prefix table (2 words)', () => {
  it('treats two tokens with the same 8-byte prefix as one entry (decision 0050)', () => {
    const t = new TokenTable(2);
    const a = randomBytes(16);
    const b = Buffer.concat([a.subarray(0, 8), randomBytes(8)]);
    t.set(a, 0, 4);
    expect(t.get(b)).toBe(4);
  });

  it('keeps exact tokens apart when keyed by all 4 words (the deny list)', () => {
    const t = new TokenTable(4);
    const a = randomBytes(16);
    const b = Buffer.concat([a.subarray(0, 8), randomBytes(8)]);
    t.set(a, 0, 1);
    expect(t.get(b)).toBe(0);
  });
});
