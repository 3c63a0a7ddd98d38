// The gateway's QR side: issues app credentials and tickets signed with the configured issuer
// keys, publishes the public keys devices trust, and relays online checks of outside codes.

import { randomBytes } from 'node:crypto';
import type { CardState } from '../../../core/card.js';
import { builtInRegistry, type ConcessionRegistry } from '../../../core/concession.js';
import {
  CREDENTIAL_BYTES,
  type IssuerPrivateKey,
  issueCredential,
  issuerPrivateKey,
  issuerRawPublicKey,
  issueTicket,
  parseKeyList,
  qrText,
  type TicketBody,
} from '../../../core/credentials/index.js';
import { CST_OFFSET_MS } from '../../../core/time.js';
import { type OutsideCheck, type OutsideIssuer, OutsideIssuerUnavailable } from '../issuers/port.js';
import type { QrCounters } from './metrics.js';

export class QrError extends Error {
  constructor(
    readonly code:
      | 'QR_ISSUING_DISABLED'
      | 'CARD_NOT_ACTIVE'
      | 'BAD_APP_KEY'
      | 'BAD_TICKET'
      | 'NO_OUTSIDE_ISSUER',
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface QrServiceOptions {
  /** "id:seedhex,..." — the first key signs, the others are still published (rotation); ids 128-255 are SM2. */
  signingKeys: string;
  credentialTtlSec: number;
  outside?: OutsideIssuer;
  outsideTimeoutMs: number;
  tokenOf: (cardNumber: string) => string;
  /** The registry whose device byte a credential carries, as the flags list does (0186). */
  concessions?: ConcessionRegistry;
  now: () => number;
  counters?: QrCounters;
}

const DAY_MS = 86_400_000;

export class QrService {
  private readonly keys: Array<{ id: number; key: IssuerPrivateKey; publicHex: string }>;

  constructor(private readonly opts: QrServiceOptions) {
    const parsed = parseKeyList(opts.signingKeys);
    if (typeof parsed === 'string') throw new Error(`QR signing keys: ${parsed}`);
    this.keys = parsed.map(([id, seed]) => {
      // Ids 128-255 are SM2 keys (decision 0164); the public form is then 04‖x‖y, 130 hex.
      const key = issuerPrivateKey(id, seed);
      return { id, key, publicHex: issuerRawPublicKey(key).toString('hex') };
    });
  }

  /** The public keys devices must hold (edge config qrIssuerKeys), the signing one first. */
  publicKeys(): { signingKeyId: number | null; keys: Array<{ keyId: number; publicKey: string }> } {
    return {
      signingKeyId: this.keys[0]?.id ?? null,
      keys: this.keys.map((k) => ({ keyId: k.id, publicKey: k.publicHex })),
    };
  }

  /**
   * A credential binding the holder's card (token, concession flags, region) to the app's
   * public key. The holder is identified by the card the caller resolved; authenticating the
   * holder (real-name login in the app) is the route's seam, not this service's.
   */
  credentialFor(card: CardState, appPublicKeyB64: string) {
    const signer = this.signer();
    if (card.status !== 'active') throw new QrError('CARD_NOT_ACTIVE', 409, `the card is ${card.status}`);
    const appKey = Buffer.from(appPublicKeyB64, 'base64url');
    if (appKey.length !== 32)
      throw new QrError('BAD_APP_KEY', 400, 'appPublicKey is not 32 bytes of base64url');
    const now = this.opts.now();
    // Backdated a minute: a device clock slightly behind must not see a brand-new credential
    // as "not yet valid".
    const notBeforeSec = Math.floor(now / 1000) - 60;
    const notAfterSec = notBeforeSec + 60 + this.opts.credentialTtlSec;
    const credential = issueCredential(signer.key, {
      keyId: signer.id,
      cardToken: Buffer.from(card.token, 'hex'),
      // The byte the flags list carries for the card: a card and its e-card decide alike (0070).
      flags: (this.opts.concessions ?? builtInRegistry).deviceFlags(card.flags),
      region: /^\d{6}$/.test(card.region) ? Number(card.region) : 0,
      notBeforeSec,
      notAfterSec,
      appPublicKey: appKey,
    });
    this.opts.counters?.issued.inc({ kind: 'credential' });
    return {
      credential: credential.toString('base64url'),
      keyId: signer.id,
      notBefore: notBeforeSec * 1000,
      notAfter: notAfterSec * 1000,
      bytes: CREDENTIAL_BYTES,
    };
  }

  ticket(input: {
    kind: 'ticket' | 'reservation';
    venueId: string;
    date: string;
    slotStartMin: number;
    slotEndMin: number;
    cardNumber?: string;
    /** The holder's card token (hex), when the caller has no card number (venue bookings). */
    holderToken?: string;
  }) {
    const signer = this.signer();
    if (input.slotStartMin >= input.slotEndMin)
      throw new QrError('BAD_TICKET', 400, 'slotStartMin must be before slotEndMin');
    const day = Math.floor((Date.parse(`${input.date}T00:00:00+08:00`) + CST_OFFSET_MS) / DAY_MS);
    if (!Number.isInteger(day) || new Date(day * DAY_MS).toISOString().slice(0, 10) !== input.date)
      throw new QrError('BAD_TICKET', 400, `date ${input.date} is not a calendar date`);
    // The payload holds the day in 16 bits (until 2149-06-06).
    if (day < 0 || day > 0xffff) throw new QrError('BAD_TICKET', 400, `date ${input.date} is out of range`);
    const ticketId = randomBytes(8);
    const body: TicketBody = {
      keyId: signer.id,
      kind: input.kind,
      ticketId,
      holderToken: input.cardNumber
        ? Buffer.from(this.opts.tokenOf(input.cardNumber), 'hex')
        : input.holderToken
          ? Buffer.from(input.holderToken, 'hex')
          : Buffer.alloc(16),
      day,
      slotStartMin: input.slotStartMin,
      slotEndMin: input.slotEndMin,
      venueId: input.venueId,
    };
    const payload = issueTicket(signer.key, body);
    this.opts.counters?.issued.inc({ kind: input.kind });
    return {
      ticketId: ticketId.toString('hex'),
      kind: input.kind,
      venueId: input.venueId,
      date: input.date,
      slotStartMin: input.slotStartMin,
      slotEndMin: input.slotEndMin,
      code: qrText(payload),
      bytes: payload.length,
    };
  }

  /** Asks the outside issuer, bounded by the configured timeout. */
  async onlineCheck(req: OutsideCheck): Promise<{ valid: boolean; cardToken?: string }> {
    const outside = this.opts.outside;
    if (!outside) throw new QrError('NO_OUTSIDE_ISSUER', 503, 'no outside issuer is configured');
    const signal = AbortSignal.timeout(this.opts.outsideTimeoutMs);
    const answer = await outside.check(req, signal).catch((err: unknown) => {
      this.opts.counters?.checks.inc({ result: 'unavailable' });
      if (err instanceof OutsideIssuerUnavailable) throw err;
      throw new OutsideIssuerUnavailable(`issuer check failed: ${(err as Error).name}`);
    });
    this.opts.counters?.checks.inc({ result: answer.valid ? 'valid' : 'invalid' });
    if (!answer.valid) return { valid: false };
    return answer.cardNumber
      ? { valid: true, cardToken: this.opts.tokenOf(answer.cardNumber) }
      : { valid: true };
  }

  private signer() {
    const signer = this.keys[0];
    if (!signer)
      throw new QrError(
        'QR_ISSUING_DISABLED',
        503,
        'no QR signing key is configured (ONECARD_QR_SIGNING_KEYS)',
      );
    return signer;
  }
}
