// List keys of two algorithms chosen by key id (decision 0164): an "sm2-" id is an SM2 key,
// any other an Ed25519 key; a device trusts keys of both kinds at once during a migration.
import { describe, expect, it } from 'vitest';
import { type EnvelopeHeader, sha256, signatureProblem, signEnvelope } from '../../../core/lists/envelope.js';
import { listAlgorithm, listPrivateKey, parsePublicKeys, rawPublicKey } from '../../../core/lists/keys.js';
import { Sm2PublicKey } from '../../../core/sm2.js';

const edKey = listPrivateKey('k1', Buffer.alloc(32, 7));
const smKey = listPrivateKey('sm2-k2', Buffer.alloc(32, 9));
const spec = `k1:${rawPublicKey(edKey).toString('hex')},sm2-k2:${rawPublicKey(smKey).toString('hex')}`;
const keys = parsePublicKeys(spec) as Exclude<ReturnType<typeof parsePublicKeys>, string>;
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

describe('list key ids name their algorithm', () => {
  it.each([
    ['k1', 'ed25519'],
    ['sm2-2026', 'sm2'],
    ['sm2', 'ed25519'],
    ['SM2-upper', 'ed25519'],
  ])('%s → %s', (id, alg) => {
    expect(listAlgorithm(id)).toBe(alg);
  });

  it('gives the public key in the form devices are configured with: 32 bytes Ed25519, 65 SM2', () => {
    expect(rawPublicKey(edKey)).toHaveLength(32);
    expect(rawPublicKey(smKey)[0]).toBe(4);
    expect(rawPublicKey(smKey)).toHaveLength(65);
    expect(keys.get('sm2-k2')).toBeInstanceOf(Sm2PublicKey);
  });
});

describe('devices trusting both kinds at once', () => {
  it('verify an envelope of each kind by its key id', () => {
    const sm = { ...h, keyId: 'sm2-k2' };
    expect(signatureProblem(keys, h, digest, signEnvelope(edKey, h, digest))).toBeUndefined();
    expect(signatureProblem(keys, sm, digest, signEnvelope(smKey, sm, digest))).toBeUndefined();
  });

  it('refuse an SM2 signature relabelled with the Ed25519 id, and the other way round', () => {
    const sm = { ...h, keyId: 'sm2-k2' };
    const smSig = signEnvelope(smKey, sm, digest);
    const edSig = signEnvelope(edKey, h, digest);
    expect(signatureProblem(keys, h, digest, smSig)).toBe('signature does not verify');
    expect(signatureProblem(keys, sm, digest, edSig)).toBe('signature does not verify');
  });

  it('refuse an SM2 envelope whose body digest or header changed', () => {
    const sm = { ...h, keyId: 'sm2-k2' };
    const sig = signEnvelope(smKey, sm, digest);
    expect(signatureProblem(keys, sm, sha256(Buffer.from('other')), sig)).toBe('signature does not verify');
    expect(signatureProblem(keys, { ...sm, version: 6 }, digest, sig)).toBe('signature does not verify');
  });
});

describe('parsing trusted keys', () => {
  const ed = rawPublicKey(edKey).toString('hex');
  const sm = rawPublicKey(smKey).toString('hex');

  it.each([
    [
      'an sm2- id with an Ed25519 key',
      `sm2-a:${ed}`,
      `"sm2-a:${ed}" is not sm2-a:<SM2 point, 130 or 66 hex chars>`,
    ],
    ['an Ed25519 id with an SM2 point', `a:${sm}`, `"a:${sm}" is not keyId:<64 hex chars>`],
    [
      'an SM2 point off the curve',
      `sm2-a:04${'11'.repeat(64)}`,
      `"sm2-a:04${'11'.repeat(64)}" is not sm2-a:<SM2 point, 130 or 66 hex chars>`,
    ],
  ])('refuses %s', (_what, text, problem) => {
    expect(parsePublicKeys(text)).toBe(problem);
  });

  it('takes the compressed form of an SM2 point', () => {
    const point = (keys.get('sm2-k2') as Sm2PublicKey).point.toBytes(true);
    const parsed = parsePublicKeys(`sm2-k2:${Buffer.from(point).toString('hex')}`) as typeof keys;
    const sm = { ...h, keyId: 'sm2-k2' };
    expect(signatureProblem(parsed, sm, digest, signEnvelope(smKey, sm, digest))).toBeUndefined();
  });
});
