// A list-signing key pair for tests (gateway side: seed; device side: "keyId:public"), and
// helpers that play the gateway's signed list wire.

import { randomBytes } from 'node:crypto';
import { sha256 } from '../../core/lists/envelope.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import type { ListKind } from '../../protos/codec.js';

/**
 * A fresh key for each test file (vitest loads this module once per file). The suites share
 * one Mosquitto, where each gateway leaves its lists' signed heads retained; with one key for
 * all, a device of one file took another file's head (a higher version, validly signed) and
 * then refused its own gateway's next delta as "not newer". Other deployments' lists must fail
 * the signature check, as they would in the field.
 */
export const LIST_SEED_HEX = randomBytes(32).toString('hex');
export const LIST_KEY_ID = 'test';
export const testSigner = new ListSigner(LIST_SEED_HEX, LIST_KEY_ID);
/** ONECARD_EDGE_LIST_KEYS for devices that trust testSigner. */
export const LIST_KEYS = `${LIST_KEY_ID}:${testSigner.publicKeyHex()}`;

export function frame(bytes: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** The HTTP stream of a signed snapshot or delta (docs/topics.md "Lists"). */
export function listStream(
  signer: ListSigner,
  h: {
    kind: ListKind;
    scope: string;
    type: 'delta' | 'snapshot';
    version: number;
    previousVersion: number;
    generation?: string;
  },
  body: Uint8Array,
): Buffer {
  const trailer = signer.trailer({ ...h, issuedAtMs: Date.now() }, sha256(body));
  return Buffer.concat([...(body.length > 0 ? [frame(body)] : []), frame(new Uint8Array(0)), frame(trailer)]);
}

/** A signed MQTT delta. */
export function signedDelta(
  signer: ListSigner,
  kind: ListKind,
  scope: string,
  version: number,
  body: Uint8Array,
  previousVersion = version - 1,
): Uint8Array {
  return signer.envelope(
    { kind, scope, type: 'delta', version, previousVersion, issuedAtMs: Date.now() },
    body,
  );
}
