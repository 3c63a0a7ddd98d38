import { describe, expect, it } from 'vitest';
import {
  ed25519Sign,
  ed25519Verify,
  Keyring,
  newKeyPair,
  parseKeyList,
  privateKeyFromSeed,
  publicKeyFromRaw,
  rawPublicKey,
  rawSeed,
} from '../../../core/credentials/keys.js';

describe('Ed25519 keys in raw form', () => {
  it('round-trips a seed and a public key through their raw 32 bytes', () => {
    const { privateKey, publicKey } = newKeyPair();
    const again = privateKeyFromSeed(rawSeed(privateKey));
    const sig = ed25519Sign(again, Buffer.from('hello'));
    expect(ed25519Verify(publicKeyFromRaw(rawPublicKey(publicKey))!, Buffer.from('hello'), sig)).toBe(true);
    expect(rawPublicKey(again)).toEqual(rawPublicKey(publicKey));
  });

  it('refuses a public key that is not 32 bytes, and a bad signature without throwing', () => {
    expect(publicKeyFromRaw(Buffer.alloc(31))).toBeUndefined();
    const { publicKey } = newKeyPair();
    expect(ed25519Verify(publicKey, Buffer.from('x'), Buffer.alloc(3))).toBe(false);
  });

  it('a keyring refuses ids outside 0..255 and keys that are not 32 bytes', () => {
    expect(() => new Keyring([[256, rawPublicKey(newKeyPair().publicKey)]])).toThrow(/key id 256/);
    expect(() => new Keyring([[1, Buffer.alloc(5)]])).toThrow(/not a 32-byte/);
  });
});

describe('key lists "id:hex,..."', () => {
  const hex = 'ab'.repeat(32);
  it.each([
    ['', []],
    [`1:${hex}`, [[1, Buffer.from(hex, 'hex')]]],
    [
      `2:${hex}, 7:${hex}`,
      [
        [2, Buffer.from(hex, 'hex')],
        [7, Buffer.from(hex, 'hex')],
      ],
    ],
  ])('reads %j', (text, expected) => {
    expect(parseKeyList(text)).toEqual(expected);
  });

  it.each([
    [`1:${hex.slice(2)}`, 'item 1 is not <key id 0-255>:<hex key>'],
    [`1:${hex},300:${hex}`, 'item 2 is not <key id 0-255>:<hex key>'],
    [`1:${hex},1:${hex}`, 'key id 1 appears twice'],
  ])('explains %j without echoing key material', (text, problem) => {
    expect(parseKeyList(text)).toBe(problem);
  });
});
