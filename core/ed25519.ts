// Ed25519 over raw 32-byte keys, for what is signed or checked once a batch: a device signs its
// TapBatch, the gateway checks it and signs the BatchAck (docs/decisions/0173, 0174, 0226).
//
// libsodium (sodium-native, a prebuilt addon for linux x64 and arm64) where it loads, node:crypto
// otherwise. Measured on the bench machine (2-core EPYC VM): libsodium verifies in ~61 µs and
// signs in ~22 µs; Node's OpenSSL 3 (which has no optimised Ed25519) takes ~130–170 µs and ~47 µs.
// At a validator's few taps a batch, the gateway's two Ed25519 operations were most of its CPU
// (0226). Both give the same signatures (Ed25519 is deterministic, RFC 8032), so a device and a
// gateway on different backends agree. libsodium is the stricter verifier: it also refuses a
// small-order public key or R, which no genuine key or signature has.
//
// Pure: no I/O, no clock. `ed25519` is the backend in use; `ed25519Backends` every one that
// loads here (the contract test runs them all against each other and RFC 8032's vectors).
import { type KeyObject, sign, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { privateKeyFromSeed, publicKeyFromRaw } from './lists/keys.js';

/** A public key held ready to verify with (build it once per key, not per signature). */
export interface Ed25519PublicKey {
  /** The 32 raw bytes. */
  readonly raw: Buffer;
}

export interface Ed25519 {
  readonly name: 'libsodium' | 'node:crypto';
  /** Throws unless `raw` is 32 bytes. */
  publicKey(raw: Uint8Array): Ed25519PublicKey;
  /** A signer for the private key whose 32-byte seed this is; throws unless 32 bytes. */
  signer(seed: Uint8Array): (bytes: Uint8Array) => Buffer;
  /** False, never a throw, for a signature that does not hold or is not 64 bytes. */
  verify(key: Ed25519PublicKey, bytes: Uint8Array, signature: Uint8Array): boolean;
}

const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

function exactly(bytes: Uint8Array, n: number, what: string): Buffer {
  if (bytes.length !== n) throw new Error(`an Ed25519 ${what} is ${n} bytes`);
  return Buffer.from(bytes);
}

/** The functions of sodium-native this module uses (it ships no types). */
interface Sodium {
  crypto_sign_seed_keypair(publicKey: Buffer, secretKey: Buffer, seed: Buffer): void;
  crypto_sign_detached(signature: Buffer, message: Uint8Array, secretKey: Buffer): void;
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Buffer): boolean;
}

function libsodium(): Ed25519 | undefined {
  let s: Sodium;
  try {
    s = createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return undefined;
  }
  return {
    name: 'libsodium',
    publicKey: (raw) => ({ raw: exactly(raw, KEY_BYTES, 'public key') }),
    signer(seed) {
      const secretKey = Buffer.alloc(64);
      s.crypto_sign_seed_keypair(Buffer.alloc(KEY_BYTES), secretKey, exactly(seed, KEY_BYTES, 'private key'));
      return (bytes) => {
        const signature = Buffer.allocUnsafe(SIGNATURE_BYTES);
        s.crypto_sign_detached(signature, bytes, secretKey);
        return signature;
      };
    },
    verify: (key, bytes, signature) =>
      signature.length === SIGNATURE_BYTES &&
      key.raw.length === KEY_BYTES &&
      s.crypto_sign_verify_detached(signature, bytes, key.raw),
  };
}

/** node:crypto's key object, made once per key and kept beside its raw bytes. */
interface NodePublicKey extends Ed25519PublicKey {
  keyObject?: KeyObject;
}

const nodeCrypto: Ed25519 = {
  name: 'node:crypto',
  publicKey(raw) {
    const bytes = exactly(raw, KEY_BYTES, 'public key');
    return { raw: bytes, keyObject: publicKeyFromRaw(bytes) } satisfies NodePublicKey;
  },
  signer(seed) {
    const key = privateKeyFromSeed(exactly(seed, KEY_BYTES, 'private key'));
    return (bytes) => sign(null, bytes, key);
  },
  verify(key: NodePublicKey, bytes, signature) {
    if (signature.length !== SIGNATURE_BYTES) return false;
    try {
      key.keyObject ??= publicKeyFromRaw(key.raw);
      return verify(null, bytes, key.keyObject, signature);
    } catch {
      return false;
    }
  },
};

const sodium = libsodium();

/** Every backend that loads here, the one in use first. */
export const ed25519Backends: readonly Ed25519[] = sodium ? [sodium, nodeCrypto] : [nodeCrypto];

/** The backend in use: libsodium where it loads. */
export const ed25519: Ed25519 = ed25519Backends[0]!;
