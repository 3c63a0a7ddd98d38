// Signed list envelopes: what a header must look like, what the signature covers, and the
// key formats devices are configured with.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type EnvelopeHeader,
  headerProblem,
  parsePublicKeys,
  privateKeyFromSeed,
  rawPublicKey,
  sha256,
  signatureProblem,
  signEnvelope,
} from '../../../core/lists/envelope.js';

const seed = Buffer.alloc(32, 7);
const key = privateKeyFromSeed(seed);
const keys = parsePublicKeys(`k1:${rawPublicKey(key).toString('hex')}`) as Map<string, never>;
const h: EnvelopeHeader = {
  kind: 'deny',
  scope: 'all',
  type: 'delta',
  version: 5,
  previousVersion: 4,
  issuedAtMs: 1_750_000_000_000,
  keyId: 'k1',
};
const digest = sha256(Buffer.from('records'));

describe('list envelope headers', () => {
  it.each<[string, Partial<EnvelopeHeader>, string | undefined]>([
    ['a well-formed delta', {}, undefined],
    ['a snapshot from 0', { type: 'snapshot', previousVersion: 0 }, undefined],
    [
      'a snapshot with a previous version',
      { type: 'snapshot', previousVersion: 3 },
      'a snapshot has a previous version',
    ],
    ['a delta going backwards', { previousVersion: 5 }, 'a delta goes from 5 to 5'],
    ['version 0', { version: 0, previousVersion: 0, type: 'head' }, 'version is below 1'],
    ['a city-wide list with a venue scope', { scope: 'museum-1' }, 'a deny list has scope "all"'],
    ['entitlements of a venue', { kind: 'entitlements', scope: 'museum-1' }, undefined],
    ['a scope with a slash', { kind: 'entitlements', scope: 'a/b' }, 'scope "a/b" is malformed'],
    ['a fractional version', { version: 5.5 }, 'version 5.5 is not a whole number'],
    ['an empty key id', { keyId: '' }, 'key id is malformed'],
  ])('%s → %s', (_what, change, problem) => {
    expect(headerProblem({ ...h, ...change })).toBe(problem);
  });
});

describe('list envelope signatures', () => {
  const sig = signEnvelope(key, h, digest);

  it('verify with the public key of the named key id', () => {
    expect(signatureProblem(keys, h, digest, sig)).toBeUndefined();
  });

  it.each<[string, Partial<EnvelopeHeader>]>([
    ['kind', { kind: 'flags' }],
    ['scope', { scope: 'al1' }],
    ['type', { type: 'snapshot' }],
    ['version', { version: 6 }],
    ['previous version', { previousVersion: 3 }],
    ['issue time', { issuedAtMs: h.issuedAtMs + 1 }],
  ])('cover the %s', (_field, change) => {
    expect(signatureProblem(keys, { ...h, ...change }, digest, sig)).toBe('signature does not verify');
  });

  it('cover the body, through its digest', () => {
    expect(signatureProblem(keys, h, sha256(Buffer.from('other')), sig)).toBe('signature does not verify');
  });

  it('name an unknown key id as such', () => {
    expect(signatureProblem(keys, { ...h, keyId: 'k2' }, digest, sig)).toBe('unknown signing key "k2"');
  });

  it('refuse a signature made with another key under the same id', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(signatureProblem(keys, h, digest, signEnvelope(other, h, digest))).toBe(
      'signature does not verify',
    );
  });
});

describe('trusted key configuration', () => {
  it('reads several keys for rotation', () => {
    const pub = rawPublicKey(key).toString('hex');
    const parsed = parsePublicKeys(`old:${pub}, new:${pub}`);
    expect(parsed instanceof Map && [...parsed.keys()]).toEqual(['old', 'new']);
  });
  it.each(['', 'k1', 'k1:abcd', `k 1:${'a'.repeat(64)}`])('refuses %j', (spec) => {
    expect(typeof parsePublicKeys(spec)).toBe('string');
  });
});
