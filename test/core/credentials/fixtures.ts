// Keys, a credential, codes and tickets for the credential tests, all at a fixed instant.
import { randomBytes } from 'node:crypto';
import {
  issueCredential,
  issueTicket,
  Keyring,
  newKeyPair,
  type QrContext,
  type QrPolicy,
  qrText,
  rawPublicKey,
  type TicketBody,
} from '../../../core/credentials/index.js';
import { ReferenceApp } from '../../support/app.js';

/** 2026-05-01 10:30 in China (UTC+8). */
export const NOW = Date.UTC(2026, 4, 1, 2, 30);
export const TODAY = Math.floor((NOW + 8 * 3600_000) / 86_400_000);
export const issuer = newKeyPair();
export const rotatedIssuer = newKeyPair();
export const strangerIssuer = newKeyPair();
export const TOKEN = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

export function policy(over: Partial<QrPolicy> = {}): QrPolicy {
  return {
    keys: new Keyring([
      [1, rawPublicKey(issuer.publicKey)],
      [2, rawPublicKey(rotatedIssuer.publicKey)],
    ]),
    skewMs: 30_000,
    codeTtlMs: 60_000,
    outsidePrefixes: ['HSA:'],
    ...over,
  };
}

export function context(over: Partial<QrContext> = {}): QrContext {
  const seen = new Set<string>();
  return {
    nowMs: NOW,
    replay: { firstSeen: (key) => !seen.has(key) && Boolean(seen.add(key)) },
    ticketUsed: () => false,
    ...over,
  };
}

export function app(
  over: {
    keyId?: number;
    key?: typeof issuer;
    notBefore?: number;
    notAfter?: number;
    cardToken?: Uint8Array;
    flags?: number;
    region?: number;
  } = {},
): ReferenceApp {
  const a = new ReferenceApp();
  a.credential = issueCredential((over.key ?? issuer).privateKey, {
    keyId: over.keyId ?? 1,
    cardToken: over.cardToken ?? TOKEN,
    flags: over.flags ?? 1,
    region: over.region ?? 500228,
    notBeforeSec: Math.floor((over.notBefore ?? NOW - 3600_000) / 1000),
    notAfterSec: Math.floor((over.notAfter ?? NOW + 86_400_000) / 1000),
    appPublicKey: rawPublicKey(a.keys.publicKey),
  });
  return a;
}

export function ticketBody(over: Partial<TicketBody> = {}): TicketBody {
  return {
    keyId: 1,
    kind: 'reservation',
    ticketId: randomBytes(8),
    holderToken: TOKEN,
    day: TODAY,
    slotStartMin: 10 * 60,
    slotEndMin: 11 * 60,
    venueId: 'museum-1',
    ...over,
  };
}

export function ticket(over: Partial<TicketBody> = {}, key = issuer): string {
  return qrText(issueTicket(key.privateKey, ticketBody(over)));
}
