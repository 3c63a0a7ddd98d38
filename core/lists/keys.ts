// List signing keys of two algorithms, chosen by key id: an id beginning "sm2-" names an SM2
// key (signature over SM3 with the default id, GB/T 32918.2), any other id an Ed25519 key. The
// id travels in every envelope and is covered by the signature, so a device never guesses the
// algorithm, and keys of both kinds can be trusted at once while a fleet migrates
// (docs/decisions/0164-sm2-sm3-beside-ed25519.md). Both kinds sign 64 bytes (Ed25519 R‖S, SM2 r‖s).
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { Sm2PrivateKey, Sm2PublicKey, sm2Verify } from '../sm2.js';

export type ListAlgorithm = 'ed25519' | 'sm2';
export type ListPublicKey = KeyObject | Sm2PublicKey;
export type ListPrivateKey = KeyObject | Sm2PrivateKey;

const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;
export const SM2_KEY_ID_PREFIX = 'sm2-';

export function isKeyId(s: string): boolean {
  return KEY_ID.test(s);
}

export function listAlgorithm(keyId: string): ListAlgorithm {
  return keyId.startsWith(SM2_KEY_ID_PREFIX) ? 'sm2' : 'ed25519';
}

// Ed25519 keys as 32 raw bytes (hex in configuration), wrapped in the fixed DER prefixes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function privateKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error('an Ed25519 private key is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The raw public key of a private key (for the devices' configuration): 32 bytes Ed25519, 65 SM2. */
export function rawPublicKey(key: ListPrivateKey): Buffer {
  if (key instanceof Sm2PrivateKey) return key.publicKey.bytes();
  const der = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** The private key named by keyId from its 32 raw bytes (both kinds are 32 bytes). */
export function listPrivateKey(keyId: string, raw: Buffer): ListPrivateKey {
  return listAlgorithm(keyId) === 'sm2' ? new Sm2PrivateKey(raw) : privateKeyFromSeed(raw);
}

export function signWith(key: ListPrivateKey, bytes: Uint8Array): Buffer {
  return key instanceof Sm2PrivateKey ? key.sign(bytes) : sign(null, bytes, key);
}

/** False, never a throw, for a signature that does not hold or a key of the other kind. */
export function verifyWith(key: ListPublicKey, bytes: Uint8Array, signature: Uint8Array): boolean {
  if (key instanceof Sm2PublicKey) return sm2Verify(key, bytes, signature);
  try {
    return verify(null, bytes, key, signature);
  } catch {
    return false;
  }
}

/**
 * Parses "keyId:hex[,keyId:hex…]" (the devices' list of trusted keys); a problem in words, or
 * the keys by id. Ed25519 ids take 64 hex chars; "sm2-" ids an SM2 point, 130 hex chars
 * (04‖x‖y) or 66 (compressed).
 */
export function parsePublicKeys(spec: string): Map<string, ListPublicKey> | string {
  const keys = new Map<string, ListPublicKey>();
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, hex] = part.split(':');
    if (!id || !isKeyId(id)) return `"${part}" is not keyId:<hex>`;
    if (listAlgorithm(id) === 'sm2') {
      const key =
        hex &&
        /^([0-9a-fA-F]{66}|[0-9a-fA-F]{130})$/.test(hex) &&
        Sm2PublicKey.fromBytes(Buffer.from(hex, 'hex'), true);
      if (!key) return `"${part}" is not ${id}:<SM2 point, 130 or 66 hex chars>`;
      keys.set(id, key);
    } else {
      if (!hex || !/^[0-9a-fA-F]{64}$/.test(hex)) return `"${part}" is not keyId:<64 hex chars>`;
      keys.set(id, publicKeyFromRaw(Buffer.from(hex, 'hex')));
    }
  }
  return keys.size > 0 ? keys : 'no key given';
}
