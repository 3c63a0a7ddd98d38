// Every Redis key is built in gateway/src/store/redis-keys.ts (docs/decisions/0183): a key built
// elsewhere could miss its hash tag and land in another Cluster slot than the script that
// needs it. The scan looks for what a key builder writes: the prefix followed by a key
// separator, or a hash tag opening after one.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isTokenHex } from '../../../core/pii.js';
import { PackWriter } from '../../../gateway/src/store/msgpack.js';
import { packTapField, partitionOf, RedisKeys, tapField } from '../../../gateway/src/store/redis-keys.js';

const STORE = new URL('../../../gateway/src/store/', import.meta.url);

/** The string and template literals of a source file, comments left out. */
function literals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/`(?:[^`\\]|\\.)*`|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g)].map((m) => m[0]);
}

/** A literal that builds a key: `${prefix}:...`, or a hash tag such as ':{p', ':{lists}'. */
const KEY_BUILDER = /prefix\}:|:\{[a-z$]/;

function keyLiterals(file: string): string[] {
  return literals(readFileSync(new URL(file, STORE), 'utf8')).filter((l) => KEY_BUILDER.test(l));
}

describe('Redis keys', () => {
  it('are built only in redis-keys.ts: no other store file writes a key prefix or hash tag', () => {
    const files = readdirSync(STORE).filter((f) => f.endsWith('.ts') && f !== 'redis-keys.ts');
    expect(files).toContain('redis-venues.ts');
    expect(
      Object.fromEntries(files.map((f) => [f, keyLiterals(f)] as const).filter(([, l]) => l.length > 0)),
    ).toEqual({});
  });

  it("put a card in the partition of its token's first 4 bytes, and refuse what is not a token", () => {
    // Its first 8 hex digits as a number, modulo the count: what every stored key was placed by.
    for (let i = 0; i < 2_000; i++) {
      const token = createHash('sha256').update(`card ${i}`).digest('hex').slice(0, 32);
      for (const n of [1, 16, 1_024, 7])
        expect(partitionOf(token, n)).toBe(Number.parseInt(token.slice(0, 8), 16) % n);
    }
    expect(partitionOf('f'.repeat(32), 1_024)).toBe(0xffffffff % 1_024);
    expect(partitionOf('0'.repeat(32), 16)).toBe(0);
    for (const bad of [
      '',
      'a'.repeat(31),
      'a'.repeat(33),
      `${'a'.repeat(31)}A`,
      `A${'a'.repeat(31)}`,
      `${'a'.repeat(31)}g`,
      `${'a'.repeat(15)}/${'a'.repeat(16)}`,
      `${'a'.repeat(15)}:${'a'.repeat(16)}`,
      `${'a'.repeat(31)}\n`,
      `${'a'.repeat(31)}٣`,
      `{p1}${'a'.repeat(28)}`,
    ]) {
      expect(isTokenHex(bad)).toBe(false);
      expect(() => partitionOf(bad, 16), JSON.stringify(bad)).toThrow(TypeError);
    }
  });

  it("of a partition are the same with its first key built once, and a card's key by its partition (0219)", () => {
    const keys = new RedisKeys('oc', 16);
    const token = `0000000${'1'.repeat(25)}`;
    const p = keys.partitionOf(token);
    expect(keys.card(token)).toBe(`oc:{p${p}}:card:${token}`);
    expect(keys.card(token)).toBe(keys.card(token));
    expect(keys.cardIn(p, token)).toBe(keys.card(token));
    expect(keys.seen(3)).toBe('oc:{p3}:seen');
    expect(keys.outbox(3).startsWith('oc:{p3}:')).toBe(true);
    // A number outside the partitions is built as asked and not kept: the cache stays bounded.
    expect(keys.seen(1_000_000)).toBe('oc:{p1000000}:seen');
    expect(keys.seen(-1)).toBe('oc:{p-1}:seen');
    expect(() => keys.card('ZZ')).toThrow(TypeError);
    // A card key's head too (0240): every partition's its own, kept only for the partitions.
    for (let q = 0; q < 16; q++) expect(keys.cardIn(q, token)).toBe(`oc:{p${q}}:card:${token}`);
    expect(keys.cardIn(16, token)).toBe(`oc:{p16}:card:${token}`);
    expect((keys as unknown as { cardHeads: string[] }).cardHeads).toHaveLength(16);
  });

  it("give a tap's field the same 12 bytes whether made as a Buffer or packed into a commit's column (0235)", () => {
    for (let i = 0; i < 50; i++) {
      const token = `${i.toString(16).padStart(8, '0')}${'c3'.repeat(12)}`;
      const key = `tap:bus-${i}:0a1b2c3d4e5f6071:${1000 + i}`;
      const w = new PackWriter(4);
      packTapField(w, token, key);
      expect(w.finish()).toEqual(new PackWriter().bytes(tapField(token, key)).finish());
      // And both are the field 0222 defines: the token's first 4 bytes, the key's SHA-256's first 8.
      const defined = Buffer.concat([
        Buffer.from(token.slice(0, 8), 'hex'),
        createHash('sha256').update(key).digest().subarray(0, 8),
      ]);
      expect(tapField(token, key)).toEqual(defined);
    }
  });

  it('are recognised by the scan where they are built (the scan can fail)', () => {
    const found = keyLiterals('redis-keys.ts');
    expect(found).toEqual(
      expect.arrayContaining([expect.stringContaining(':{audit}:log`'), expect.stringContaining(':{v:')]),
    );
  });

  it("of a venue share the venue's hash tag, and a venue id with braces is refused", () => {
    const k = new RedisKeys('oc', 4).venue;
    expect([k.bodies('v1'), k.occupancy('v1', 20_300), k.card('v1', 'ab')]).toEqual([
      'oc:{v:v1}:bk',
      'oc:{v:v1}:occ:20300',
      'oc:{v:v1}:card:ab',
    ]);
    expect(() => k.bodies('v{1}')).toThrow("a venue id must not contain braces: 'v{1}'");
  });
});
