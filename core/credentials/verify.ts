// Offline verification of onecard QR codes: pure (time passed in, the replay memory and the
// used-ticket lookup passed in as tiny ports), total (any input yields a verdict, never an
// exception) and allow-safe (only a payload whose every check passed yields ok: true).
//
// A verdict says what the code PROVES (a card, or an entitlement), never whether the holder may
// pass: that is the entry rules' word (core/entry/decide.ts), the same as for a card tap. So a
// ticket's venue, day and slot are part of its proof, judged there against the device kind and
// the gate's slot tolerance (docs/decisions/0070-qr-through-entry-rules.md).
//
// Check order matters: cheap structural checks, then signatures, then time, and the replay
// memory last, so only authentic, fresh codes ever enter it (garbage cannot flush it).
import type { KeyObject } from 'node:crypto';
import type { ReasonName } from '../../protos/codec.js';
import type { Entitlement } from '../facts.js';
import { base45Decode } from './base45.js';
import { ed25519Verify, issuerVerify, type Keyring, publicKeyFromRaw } from './keys.js';
import {
  CREDENTIAL_BYTES,
  CREDENTIAL_SIGNED_BYTES,
  DYNAMIC_BYTES,
  DYNAMIC_SIGNED_BYTES,
  QR_PREFIX,
  QR_VERSION,
  readCredential,
  readTicket,
  TYPE_DYNAMIC,
  TYPE_TICKET,
} from './payload.js';

/** Remembers authentic codes until they expire (edge-agent/src/qr/caches.ts: an LRU cache). */
export interface ReplayGuard {
  /**
   * true when the code named by key was not seen before (it is now remembered until
   * expiresAtMs); false for a replay, or when it may have been seen before the memory began.
   */
  firstSeen(key: string, codeMs: number, expiresAtMs: number): boolean;
}

/**
 * Remembers credentials whose issuer signature verified, with their imported app key
 * (edge-agent/src/qr/caches.ts). A commuter's app shows codes from the same credential all
 * day: a hit saves the issuer-signature check and the key import, half the work of a scan.
 * Keyed by the credential's exact bytes, so a hit proves what the check would have.
 */
export interface CredentialCache {
  get(credential: string): KeyObject | undefined;
  set(credential: string, appKey: KeyObject, expiresAtMs: number): void;
}

export interface QrPolicy {
  /** Issuer public keys by key id (credentials and tickets). */
  keys: Keyring;
  /** Clock difference tolerated between the phone, the gateway and this device, ms. */
  skewMs: number;
  /** How long a dynamic code stays valid after the app made it, ms. */
  codeTtlMs: number;
  /** Text prefixes of outside issuers' codes that only their issuer can check online. */
  outsidePrefixes: readonly string[];
}

export interface QrContext {
  nowMs: number;
  replay: ReplayGuard;
  /** Whether this ticket id (16 hex) was already used on this device. */
  ticketUsed: (ticketIdHex: string) => boolean;
  /** Optional: skips re-verifying a credential seen before. */
  credentials?: CredentialCache;
}

export type QrVerdict =
  | { ok: true; kind: 'dynamic'; cardToken: string; flags: number; region: string }
  | { ok: true; kind: 'ticket'; entitlement: Entitlement; holderToken: string }
  | { ok: true; kind: 'outside'; code: string }
  | { ok: false; reason: QrRefusal; cardToken?: string };

export type QrRefusal = Extract<
  ReasonName,
  | 'QR_MALFORMED'
  | 'QR_UNKNOWN_KEY'
  | 'QR_FORGED'
  | 'QR_CODE_FORGED'
  | 'QR_CREDENTIAL_EXPIRED'
  | 'QR_CREDENTIAL_NOT_YET_VALID'
  | 'QR_CODE_EXPIRED'
  | 'QR_CODE_NOT_YET_VALID'
  | 'QR_REPLAYED'
  | 'QR_TICKET_USED'
>;

/** Longest QR text considered at all (a version-40 symbol holds 4,296 alphanumeric characters). */
export const MAX_QR_TEXT = 4296;

/** Verifies the text a scanner read. Never throws. */
export function verifyQr(text: string, policy: QrPolicy, ctx: QrContext): QrVerdict {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_QR_TEXT)
    return refuse('QR_MALFORMED');
  if (!text.startsWith(QR_PREFIX)) {
    const outside = policy.outsidePrefixes.some((p) => p !== '' && text.startsWith(p));
    return outside ? { ok: true, kind: 'outside', code: text } : refuse('QR_MALFORMED');
  }
  const bytes = base45Decode(text.slice(QR_PREFIX.length));
  if (!bytes || bytes.length < 2 || bytes[0] !== QR_VERSION) return refuse('QR_MALFORMED');
  if (bytes[1] === TYPE_DYNAMIC) return verifyDynamic(bytes, policy, ctx);
  if (bytes[1] === TYPE_TICKET) return verifyTicket(bytes, policy, ctx);
  return refuse('QR_MALFORMED');
}

export function verifyDynamic(b: Uint8Array, policy: QrPolicy, ctx: QrContext): QrVerdict {
  if (b.length !== DYNAMIC_BYTES || b[0] !== QR_VERSION || b[1] !== TYPE_DYNAMIC)
    return refuse('QR_MALFORMED');
  const cred = readCredential(b, 2);
  if (!cred) return refuse('QR_MALFORMED');
  // The key id is checked even for a cached credential: a key rotated out revokes at once.
  const issuerKey = policy.keys.get(cred.keyId);
  if (!issuerKey) return refuse('QR_UNKNOWN_KEY');
  const view = Buffer.from(b.buffer, b.byteOffset, b.length);
  const cacheKey = ctx.credentials ? view.toString('base64', 2, 2 + CREDENTIAL_BYTES) : '';
  let appKey = ctx.credentials?.get(cacheKey);
  if (!appKey) {
    const credSigned = b.subarray(2, 2 + CREDENTIAL_SIGNED_BYTES);
    const credSig = b.subarray(2 + CREDENTIAL_SIGNED_BYTES, 2 + CREDENTIAL_BYTES);
    if (!issuerVerify(issuerKey, credSigned, credSig)) return refuse('QR_FORGED');
    appKey = publicKeyFromRaw(cred.appPublicKey);
    if (appKey) ctx.credentials?.set(cacheKey, appKey, cred.notAfterSec * 1000 + policy.skewMs);
  }
  // From here the card token is the issuer's word: refusals carry it into the journal.
  const cardToken = Buffer.from(cred.cardToken).toString('hex');
  if (
    !appKey ||
    !ed25519Verify(appKey, b.subarray(0, DYNAMIC_SIGNED_BYTES), b.subarray(DYNAMIC_SIGNED_BYTES))
  )
    return refuse('QR_CODE_FORGED', cardToken);
  const now = ctx.nowMs;
  if (now + policy.skewMs < cred.notBeforeSec * 1000) return refuse('QR_CREDENTIAL_NOT_YET_VALID', cardToken);
  if (now - policy.skewMs > cred.notAfterSec * 1000) return refuse('QR_CREDENTIAL_EXPIRED', cardToken);
  const codeMs = view.readUInt32BE(2 + CREDENTIAL_BYTES) * 1000;
  if (codeMs > now + policy.skewMs) return refuse('QR_CODE_NOT_YET_VALID', cardToken);
  const expiresAt = codeMs + policy.codeTtlMs + policy.skewMs;
  if (now > expiresAt) return refuse('QR_CODE_EXPIRED', cardToken);
  // The app signature is deterministic (Ed25519) and covers time and nonce: it names the code.
  const key = view.toString('base64', DYNAMIC_SIGNED_BYTES);
  if (!ctx.replay.firstSeen(key, codeMs, expiresAt)) return refuse('QR_REPLAYED', cardToken);
  return {
    ok: true,
    kind: 'dynamic',
    cardToken,
    flags: cred.flags,
    region: cred.region === 0 ? '' : String(cred.region),
  };
}

export function verifyTicket(b: Uint8Array, policy: QrPolicy, ctx: QrContext): QrVerdict {
  const t = readTicket(b);
  if (!t) return refuse('QR_MALFORMED');
  const key = policy.keys.get(t.body.keyId);
  if (!key) return refuse('QR_UNKNOWN_KEY');
  if (!issuerVerify(key, b.subarray(0, t.signedLength), b.subarray(t.signedLength)))
    return refuse('QR_FORGED');
  const holderToken = Buffer.from(t.body.holderToken).toString('hex');
  const id = Buffer.from(t.body.ticketId).toString('hex');
  // A spent single-use code proves nothing any more, like a replayed dynamic code. Venue, day
  // and slot are not checked here: they are the entitlement the entry rules judge.
  if (ctx.ticketUsed(id)) return refuse('QR_TICKET_USED', holderToken);
  return {
    ok: true,
    kind: 'ticket',
    holderToken,
    entitlement: {
      kind: t.body.kind,
      venueId: t.body.venueId,
      id,
      fromDay: t.body.day,
      toDay: t.body.day,
      slotStartMin: t.body.slotStartMin,
      slotEndMin: t.body.slotEndMin,
      maxEntries: 1,
    },
  };
}

function refuse(reason: QrRefusal, cardToken?: string): QrVerdict {
  return cardToken === undefined ? { ok: false, reason } : { ok: false, reason, cardToken };
}
