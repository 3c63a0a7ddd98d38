// Device key pairs (docs/decisions/0173): Ed25519, 32 raw bytes each way, hex in configuration
// and in the API. A device signs its TapBatches with the private key; the gateway stores the
// public key with the registration. Pure: nothing here reads a file or the clock.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { privateKeyFromSeed } from './lists/keys.js';

export interface DeviceKeyPair {
  /** 64 hex chars: the 32-byte seed (RFC 8032 private key). */
  privateKey: string;
  /** 64 hex chars: the 32-byte public key. */
  publicKey: string;
}

const HEX32 = /^[0-9a-fA-F]{64}$/;

export function isKeyHex(s: string): boolean {
  return HEX32.test(s);
}

/** The last 32 bytes of the DER forms are the raw key for Ed25519 (RFC 8410). */
function raw(key: KeyObject, type: 'pkcs8' | 'spki'): string {
  const der = key.export({ format: 'der', type });
  return Buffer.from(der.subarray(der.length - 32)).toString('hex');
}

export function newDeviceKeyPair(): DeviceKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey: raw(privateKey, 'pkcs8'), publicKey: raw(publicKey, 'spki') };
}

export function deviceSigningKey(privateKeyHex: string): KeyObject {
  return privateKeyFromSeed(Buffer.from(privateKeyHex, 'hex'));
}

export function devicePublicKeyHex(privateKeyHex: string): string {
  return raw(createPublicKey(deviceSigningKey(privateKeyHex)), 'spki');
}
