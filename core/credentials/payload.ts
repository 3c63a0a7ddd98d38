// Binary layouts of the onecard QR payloads (version 1). Fixed offsets, big-endian integers, no
// JSON: a dynamic code is 201 bytes and a ticket 99 + venue-id bytes, small enough for a QR
// symbol of version 10 or less (docs/decisions/0060-qr-credentials.md has the sizes).
//
// Every payload starts with [version][type]; a signature always covers every byte before it,
// the version and type bytes included, so a signature made for one type can never be replayed
// as another (domain separation without a context string).
//
//   credential (issuer-signed, 127 bytes)           dynamic code (app-signed, 201 bytes)
//    0  version = 1                                   0  version = 1
//    1  type 'C'                                      1  type 'D'
//    2  issuer key id                                 2  credential (127 bytes)
//    3  card token (16)                             129  code time, Unix seconds (u32)
//   19  concession flags (u8)                       133  nonce (u32)
//   20  issuing region (u24, 0 = unknown)           137  app signature (64) over bytes 0..136
//   23  not before, Unix seconds (u32)
//   27  not after, Unix seconds (u32)              ticket (gateway-signed, 99 + n bytes)
//   31  app public key, Ed25519 raw (32)              0  version = 1, 1 type 'T', 2 key id
//   63  issuer signature (64) over bytes 0..62        3  kind (1 ticket, 2 reservation)
//                                                     4  ticket id (8)
//                                                    12  holder card token (16, zeros: none)
//                                                    28  day (u16, days since 1970-01-01 UTC+8)
//                                                    30  slot start, minute of day (u16)
//                                                    32  slot end, minute of day (u16)
//                                                    34  venue id length n (1..64), 35 venue id
//                                                  35+n  issuer signature (64) over bytes 0..34+n

export const QR_VERSION = 1;
export const TYPE_CREDENTIAL = 0x43; // 'C'
export const TYPE_DYNAMIC = 0x44; // 'D'
export const TYPE_TICKET = 0x54; // 'T'
/** Text prefix of every onecard QR code; the rest is base45. Alphanumeric-mode characters only. */
export const QR_PREFIX = 'OC:';

export const SIG_BYTES = 64;
export const KEY_BYTES = 32;
export const TOKEN_LEN = 16;
export const CREDENTIAL_SIGNED_BYTES = 63;
export const CREDENTIAL_BYTES = CREDENTIAL_SIGNED_BYTES + SIG_BYTES; // 127
export const DYNAMIC_SIGNED_BYTES = 2 + CREDENTIAL_BYTES + 8; // 137
export const DYNAMIC_BYTES = DYNAMIC_SIGNED_BYTES + SIG_BYTES; // 201
export const TICKET_FIXED_BYTES = 35;
export const MAX_VENUE_ID = 64;
const VENUE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface CredentialBody {
  keyId: number;
  /** 16 bytes. */
  cardToken: Uint8Array;
  flags: number;
  /** 6-digit region as a number, 0 when unknown. */
  region: number;
  notBeforeSec: number;
  notAfterSec: number;
  /** Ed25519 raw public key of the holder's app, 32 bytes. */
  appPublicKey: Uint8Array;
}

export interface TicketBody {
  keyId: number;
  kind: 'ticket' | 'reservation';
  /** 8 bytes. */
  ticketId: Uint8Array;
  /** 16 bytes; all zeros for a ticket not bound to a card. */
  holderToken: Uint8Array;
  day: number;
  slotStartMin: number;
  slotEndMin: number;
  venueId: string;
}

/** The bytes the issuer signs (credential without its signature). */
export function credentialSignedBytes(c: CredentialBody): Uint8Array {
  const b = Buffer.alloc(CREDENTIAL_SIGNED_BYTES);
  b[0] = QR_VERSION;
  b[1] = TYPE_CREDENTIAL;
  b[2] = byte(c.keyId, 'keyId');
  b.set(exact(c.cardToken, TOKEN_LEN, 'cardToken'), 3);
  b[19] = byte(c.flags, 'flags');
  b.writeUIntBE(c.region, 20, 3);
  b.writeUInt32BE(c.notBeforeSec, 23);
  b.writeUInt32BE(c.notAfterSec, 27);
  b.set(exact(c.appPublicKey, KEY_BYTES, 'appPublicKey'), 31);
  return b;
}

/** Reads a credential; undefined when the bytes are not one (never throws). */
export function readCredential(b: Uint8Array, at = 0): CredentialBody | undefined {
  if (b.length - at < CREDENTIAL_BYTES || b[at] !== QR_VERSION || b[at + 1] !== TYPE_CREDENTIAL)
    return undefined;
  const v = Buffer.from(b.buffer, b.byteOffset + at, CREDENTIAL_BYTES);
  const region = v.readUIntBE(20, 3);
  if (region !== 0 && (region < 100000 || region > 999999)) return undefined;
  return {
    keyId: v[2]!,
    cardToken: v.subarray(3, 19),
    flags: v[19]!,
    region,
    notBeforeSec: v.readUInt32BE(23),
    notAfterSec: v.readUInt32BE(27),
    appPublicKey: v.subarray(31, 63),
  };
}

/** The bytes the app signs: version, type, the whole signed credential, time and nonce. */
export function dynamicSignedBytes(credential: Uint8Array, timeSec: number, nonce: number): Uint8Array {
  const b = Buffer.alloc(DYNAMIC_SIGNED_BYTES);
  b[0] = QR_VERSION;
  b[1] = TYPE_DYNAMIC;
  b.set(exact(credential, CREDENTIAL_BYTES, 'credential'), 2);
  b.writeUInt32BE(timeSec, 2 + CREDENTIAL_BYTES);
  b.writeUInt32BE(nonce >>> 0, 6 + CREDENTIAL_BYTES);
  return b;
}

export function ticketSignedBytes(t: TicketBody): Uint8Array {
  if (!VENUE_ID.test(t.venueId))
    throw new RangeError(`venueId "${t.venueId}" is not 1-64 letters, digits, _ . : -`);
  const b = Buffer.alloc(TICKET_FIXED_BYTES + t.venueId.length);
  b[0] = QR_VERSION;
  b[1] = TYPE_TICKET;
  b[2] = byte(t.keyId, 'keyId');
  b[3] = t.kind === 'ticket' ? 1 : 2;
  b.set(exact(t.ticketId, 8, 'ticketId'), 4);
  b.set(exact(t.holderToken, TOKEN_LEN, 'holderToken'), 12);
  b.writeUInt16BE(t.day, 28);
  b.writeUInt16BE(t.slotStartMin, 30);
  b.writeUInt16BE(t.slotEndMin, 32);
  b[34] = t.venueId.length;
  b.write(t.venueId, 35, 'latin1');
  return b;
}

/** A ticket and the length of its signed part; undefined when the bytes are not one. */
export function readTicket(b: Uint8Array): { body: TicketBody; signedLength: number } | undefined {
  if (b.length < TICKET_FIXED_BYTES + 1 + SIG_BYTES || b[0] !== QR_VERSION || b[1] !== TYPE_TICKET)
    return undefined;
  const v = Buffer.from(b.buffer, b.byteOffset, b.length);
  const n = v[34]!;
  const signedLength = TICKET_FIXED_BYTES + n;
  if (n < 1 || n > MAX_VENUE_ID || v.length !== signedLength + SIG_BYTES) return undefined;
  const kind = v[3] === 1 ? 'ticket' : v[3] === 2 ? 'reservation' : undefined;
  const venueId = v.toString('latin1', 35, signedLength);
  const slotStartMin = v.readUInt16BE(30);
  const slotEndMin = v.readUInt16BE(32);
  if (!kind || !VENUE_ID.test(venueId) || slotStartMin >= slotEndMin || slotEndMin > 1440) return undefined;
  return {
    body: {
      keyId: v[2]!,
      kind,
      ticketId: v.subarray(4, 12),
      holderToken: v.subarray(12, 28),
      day: v.readUInt16BE(28),
      slotStartMin,
      slotEndMin,
      venueId,
    },
    signedLength,
  };
}

function byte(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new RangeError(`${name} ${n} is not 0..255`);
  return n;
}

function exact(b: Uint8Array, len: number, name: string): Uint8Array {
  if (b.length !== len) throw new RangeError(`${name} has ${b.length} bytes, not ${len}`);
  return b;
}
