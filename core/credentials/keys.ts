// Ed25519 keys in their raw 32-byte forms (what config files and the wire carry) and as
// node:crypto KeyObjects (built once: parsing a key per scan would cost more than the verify).
// node:crypto is computation, not I/O, so this belongs in the pure core.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

// DER headers of an Ed25519 SubjectPublicKeyInfo and PKCS#8 private key (RFC 8410), followed
// by the 32 raw key bytes.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Imported as a JWK: on Node 20 with OpenSSL 3 that takes ~7 µs where the DER (SPKI) import
 * takes ~130 µs (decoder lookup), and an app key is imported on every scan.
 */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject | undefined {
  if (raw.length !== 32) return undefined;
  try {
    return createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(raw.buffer, raw.byteOffset, 32).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32)
    throw new RangeError(`an Ed25519 private key seed has 32 bytes, not ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_PREFIX.length);
}

export function rawSeed(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
}

export function newKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

export function ed25519Sign(key: KeyObject, data: Uint8Array): Buffer {
  return sign(null, data, key);
}

export function ed25519Verify(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}

/**
 * The issuer public keys a device trusts, by key id. Several are valid at once so the gateway
 * can rotate: a new key id is added to devices first, signing moves to it, the old id is
 * removed once every credential it signed has expired.
 */
export class Keyring {
  private readonly keys = new Map<number, KeyObject>();

  /** @param raw key id → raw 32-byte public key */
  constructor(raw: Iterable<[number, Uint8Array]> = []) {
    for (const [id, key] of raw) this.add(id, key);
  }

  add(id: number, raw: Uint8Array): void {
    if (!Number.isInteger(id) || id < 0 || id > 255) throw new RangeError(`key id ${id} is not 0..255`);
    const key = publicKeyFromRaw(raw);
    if (!key) throw new RangeError(`key ${id} is not a 32-byte Ed25519 public key`);
    this.keys.set(id, key);
  }

  get(id: number): KeyObject | undefined {
    return this.keys.get(id);
  }

  ids(): number[] {
    return [...this.keys.keys()];
  }
}

/**
 * "id:hex,id:hex" (the config form of key lists: edge public keys, gateway private seeds), or
 * a problem in words.
 */
export function parseKeyList(text: string): Array<[number, Buffer]> | string {
  const out: Array<[number, Buffer]> = [];
  if (text.trim() === '') return out;
  // Problems name the item's position, never its text: the list may hold private keys.
  for (const [i, item] of text.split(',').entries()) {
    const m = /^\s*(\d{1,3}):([0-9a-fA-F]{64})\s*$/.exec(item);
    if (!m || Number(m[1]) > 255) return `item ${i + 1} is not <key id 0-255>:<64 hex chars>`;
    if (out.some(([id]) => id === Number(m[1]))) return `key id ${m[1]} appears twice`;
    out.push([Number(m[1]), Buffer.from(m[2]!, 'hex')]);
  }
  return out;
}
