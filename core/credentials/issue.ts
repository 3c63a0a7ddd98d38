// The signing side of the QR payloads: the gateway issues credentials and tickets, the
// holder's app makes dynamic codes. Pure: time, ids and nonces are passed in.
import type { KeyObject } from 'node:crypto';
import { base45Encode } from './base45.js';
import { ed25519Sign, type IssuerPrivateKey, issuerSign } from './keys.js';
import {
  type CredentialBody,
  credentialSignedBytes,
  dynamicSignedBytes,
  QR_PREFIX,
  type TicketBody,
  ticketSignedBytes,
} from './payload.js';

/** The signed credential (127 bytes) the gateway gives the holder's app; the key matches body.keyId's kind. */
export function issueCredential(issuerKey: IssuerPrivateKey, body: CredentialBody): Buffer {
  const signed = credentialSignedBytes(body);
  return Buffer.concat([signed, issuerSign(issuerKey, signed)]);
}

/** A dynamic code (201 bytes) the app shows: its credential, the time and a nonce, app-signed. */
export function makeDynamicCode(
  appKey: KeyObject,
  credential: Uint8Array,
  nowMs: number,
  nonce: number,
): Buffer {
  const signed = dynamicSignedBytes(credential, Math.floor(nowMs / 1000), nonce);
  return Buffer.concat([signed, ed25519Sign(appKey, signed)]);
}

/** A signed ticket or reservation (99 + venue-id bytes). */
export function issueTicket(issuerKey: IssuerPrivateKey, body: TicketBody): Buffer {
  const signed = ticketSignedBytes(body);
  return Buffer.concat([signed, issuerSign(issuerKey, signed)]);
}

/** The text a QR symbol carries: "OC:" and the payload in base45. */
export function qrText(payload: Uint8Array): string {
  return QR_PREFIX + base45Encode(payload);
}
