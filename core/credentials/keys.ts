// Ed25519 keys in their raw 32-byte forms (what config files and the wire carry) and as
// node:crypto KeyObjects (built once: parsing a key per scan would cost more than the verify).
// node:crypto is computation, not I/O, so this belongs in the pure core.
// Issuer keys (credentials, tickets) may also be SM2 over SM3: the key id names the algorithm,
// 0-127 Ed25519 and 128-255 SM2, so devices hold both kinds during a migration and a payload's
// layout does not change (both sign 64 bytes). Decision 0164. The app's key stays Ed25519.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { Sm2PrivateKey, Sm2PublicKey, sm2Verify } from '../sm2.js';

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

/** Issuer key ids from here on name SM2 keys. */
export const SM2_ISSUER_KEY_IDS_FROM = 128;
export type IssuerPublicKey = KeyObject | Sm2PublicKey;
export type IssuerPrivateKey = KeyObject | Sm2PrivateKey;

export function issuerAlgorithm(id: number): 'ed25519' | 'sm2' {
  return id >= SM2_ISSUER_KEY_IDS_FROM ? 'sm2' : 'ed25519';
}

/** The issuer's private key for key id from its 32 raw bytes (an Ed25519 seed or an SM2 scalar). */
export function issuerPrivateKey(id: number, raw: Uint8Array): IssuerPrivateKey {
  return issuerAlgorithm(id) === 'sm2' ? new Sm2PrivateKey(raw) : privateKeyFromSeed(raw);
}

/** What devices are configured with: 32 bytes (Ed25519) or 65 (SM2, 04‖x‖y). */
export function issuerRawPublicKey(key: IssuerPrivateKey): Buffer {
  return key instanceof Sm2PrivateKey ? key.publicKey.bytes() : rawPublicKey(key);
}

export function issuerSign(key: IssuerPrivateKey, data: Uint8Array): Buffer {
  return key instanceof Sm2PrivateKey ? key.sign(data) : ed25519Sign(key, data);
}

export function issuerVerify(key: IssuerPublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  return key instanceof Sm2PublicKey ? sm2Verify(key, data, signature) : ed25519Verify(key, data, signature);
}

/**
 * The issuer public keys a device trusts, by key id. Several are valid at once so the gateway
 * can rotate: a new key id is added to devices first, signing moves to it, the old id is
 * removed once every credential it signed has expired.
 */
export class Keyring {
  private readonly keys = new Map<number, IssuerPublicKey>();

  /** @param raw key id → raw 32-byte public key */
  constructor(raw: Iterable<[number, Uint8Array]> = []) {
    for (const [id, key] of raw) this.add(id, key);
  }

  add(id: number, raw: Uint8Array): void {
    if (!Number.isInteger(id) || id < 0 || id > 255) throw new RangeError(`key id ${id} is not 0..255`);
    // An SM2 key gets its multiplication tables once here: it verifies every scan.
    const key = issuerAlgorithm(id) === 'sm2' ? Sm2PublicKey.fromBytes(raw, true) : publicKeyFromRaw(raw);
    if (!key) throw new RangeError(`key ${id} is not ${keyForm(id)}`);
    this.keys.set(id, key);
  }

  get(id: number): IssuerPublicKey | undefined {
    return this.keys.get(id);
  }

  ids(): number[] {
    return [...this.keys.keys()];
  }
}

const keyForm = (id: number): string =>
  issuerAlgorithm(id) === 'sm2' ? 'an SM2 public key (65 or 33 bytes)' : 'a 32-byte Ed25519 public key';

/**
 * "id:hex,id:hex" (the config form of key lists: edge public keys, gateway private keys), or
 * a problem in words. Private keys are 64 hex chars of either kind; public keys (form
 * 'public') 64 for ids 0-127 (Ed25519) and 130 or 66 for ids 128-255 (an SM2 point).
 */
export function parseKeyList(
  text: string,
  form: 'private' | 'public' = 'private',
): Array<[number, Buffer]> | string {
  const out: Array<[number, Buffer]> = [];
  if (text.trim() === '') return out;
  // Problems name the item's position, never its text: the list may hold private keys.
  for (const [i, item] of text.split(',').entries()) {
    const m = /^\s*(\d{1,3}):([0-9a-fA-F]{64}|[0-9a-fA-F]{66}|[0-9a-fA-F]{130})\s*$/.exec(item);
    if (!m || Number(m[1]) > 255) return `item ${i + 1} is not <key id 0-255>:<hex key>`;
    const id = Number(m[1]);
    const hexLength = m[2]!.length;
    const fits =
      form === 'private' || issuerAlgorithm(id) === 'ed25519' ? hexLength === 64 : hexLength !== 64;
    if (!fits)
      return `item ${i + 1}: key id ${id} takes ${form === 'private' ? 'a 32-byte private key (64 hex chars)' : keyForm(id)}`;
    if (out.some(([known]) => known === id)) return `key id ${id} appears twice`;
    out.push([id, Buffer.from(m[2]!, 'hex')]);
  }
  return out;
}
