// Signed wire for tests, in one place (docs/decisions/0173, 0174): every test, bench and load
// path that publishes a TapBatch signs it here, and every fake gateway signs its acks here.
// A device's test key is derived from its id, so a suite that registers `uniqueId()` devices
// has keys of its own without passing them around; registration sends publicKeyOf(id).
import { createHash, sign } from 'node:crypto';
import { devicePublicKeyHex, deviceSigningKey } from '../../core/device-keys.js';
import type { ListSigner } from '../../gateway/src/lists/signer.js';
import {
  encodeSignedAck,
  encodeSignedBatch,
  type SignFn,
  type WireAck,
  type WireBatch,
} from '../../protos/codec.js';
import { testSigner } from './lists.js';

/** The private key (64 hex) of a test device: derived from its id, different for every id. */
export function privateKeyOf(deviceId: string): string {
  return createHash('sha256').update(`onecard-test-device-key:${deviceId}`).digest('hex');
}

/** What POST /v1/devices takes as publicKey for a test device. */
export function publicKeyOf(deviceId: string): string {
  return devicePublicKeyHex(privateKeyOf(deviceId));
}

export function deviceSigner(privateKeyHex: string): SignFn {
  const key = deviceSigningKey(privateKeyHex);
  return (bytes) => sign(null, bytes, key);
}

/** A TapBatch signed by its device's test key, or by `privateKeyHex` (an attacker's, say). */
export function signedBatch(batch: WireBatch, privateKeyHex = privateKeyOf(batch.deviceId ?? '')): Buffer {
  return encodeSignedBatch(batch, deviceSigner(privateKeyHex));
}

/** A BatchAck signed as the gateway signs it (with the test list key unless told otherwise). */
export function signedAck(ack: WireAck, signer: ListSigner = testSigner): Buffer {
  return encodeSignedAck(ack, signer.keyId, (bytes) => signer.sign(bytes));
}
