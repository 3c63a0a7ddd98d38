import { describe, expect, it } from 'vitest';
import {
  ALL_SCOPE,
  type EnvelopeHeader,
  parsePublicKeys,
  sha256,
  signatureProblem,
} from '../../../core/lists/envelope.js';
import {
  generationStart,
  isGeneration,
  isLaterGeneration,
  newGeneration,
} from '../../../core/lists/generation.js';
import { v1 } from '../../../protos/wire.js';
import { LIST_KEYS, testSigner } from '../../support/lists.js';

const keys = parsePublicKeys(LIST_KEYS) as Exclude<ReturnType<typeof parsePublicKeys>, string>;

describe('store generations', () => {
  it('name the time they began and 8 random bytes', () => {
    const g = newGeneration(1_750_000_000_123, Buffer.from('0102030405060708', 'hex'));
    expect(g).toBe('1750000000123-0102030405060708');
    expect([isGeneration(g), generationStart(g)]).toEqual([true, 1_750_000_000_123]);
    expect(isGeneration('1750000000123-01020304')).toBe(false);
    expect(() => newGeneration(1_750_000_000_123, Buffer.alloc(4))).toThrow(
      'a generation takes 8 random bytes',
    );
  });

  it('order by the time they began; an empty or malformed one is never earlier or later', () => {
    const a = newGeneration(1_750_000_000_000, Buffer.alloc(8, 9));
    const b = newGeneration(1_750_000_000_001, Buffer.alloc(8, 0));
    expect([isLaterGeneration(b, a), isLaterGeneration(a, b), isLaterGeneration(a, a)]).toEqual([
      true,
      false,
      false,
    ]);
    expect([isLaterGeneration(b, ''), isLaterGeneration('', a), isLaterGeneration('x', a)]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('are signed: an envelope whose generation was changed no longer verifies', () => {
    const g = newGeneration(1_750_000_000_000, Buffer.alloc(8, 1));
    const bytes = testSigner.head('deny', ALL_SCOPE, 3, 1, g);
    const m = v1.SignedList.decode(bytes);
    expect(m.storeGeneration).toBe(g);
    const h: EnvelopeHeader = {
      kind: 'deny',
      scope: ALL_SCOPE,
      type: 'head',
      version: 3,
      previousVersion: 3,
      issuedAtMs: 1,
      keyId: m.keyId,
      generation: g,
    };
    const digest = sha256(new Uint8Array(0));
    expect(signatureProblem(keys, h, digest, m.signature)).toBeUndefined();
    const later = newGeneration(1_760_000_000_000, Buffer.alloc(8, 1));
    expect(signatureProblem(keys, { ...h, generation: later }, digest, m.signature)).toBe(
      'signature does not verify',
    );
    expect(signatureProblem(keys, { ...h, generation: '' }, digest, m.signature)).toBe(
      'signature does not verify',
    );
  });
});
