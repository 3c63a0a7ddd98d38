// A QR scan, start to finish on the device: verify offline (core/credentials) → what the code
// proves (a card token and its concession flags, or an entitlement) → decision → the verifier
// journals it (credential QR) and signals the gate. Outside issuers' codes are checked online
// when the link is up; otherwise, or when the check fails, the venue's policy decides.

import {
  Keyring,
  parseKeyList,
  type QrContext,
  type QrPolicy,
  type QrVerdict,
  qrFacts,
  verifyQr,
} from '../../../core/credentials/index.js';
import { type DenyReasonName, decideCardTap } from '../../../core/decide.js';
import { localDay } from '../../../core/facts.js';
import { type ConcessionName, concessionFor } from '../../../core/fare.js';
import { cardTokenHex } from '../../../core/pii.js';
import type { Profile } from '../../../core/profiles.js';
import type { ReasonName } from '../../../core/reasons.js';
import type { EdgeConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { GateSignal } from '../reader/port.js';
import { LruCredentialCache, LruReplayGuard } from './caches.js';
import { gatewayOnlineCheck, type OnlineCheck } from './online.js';
import { openUsedTickets, type UsedTickets } from './used-tickets.js';

/** What the verifier journals for a QR scan. */
export interface QrDecided {
  cardToken: string;
  issuingRegion: string;
  decision: 'allow' | 'deny';
  reason: ReasonName;
  concession: ConcessionName;
}

/** Journals a decided scan and returns the gate signal (Verifier.recordQr). */
export type RecordScan = (d: QrDecided) => GateSignal;

/** Credentials remembered (a day's distinct holders at a busy gate; ~1 KB each). */
const CREDENTIAL_CACHE_SIZE = 20_000;

/** Token journaled for a code that proved no card: 16 zero bytes (the gateway records it as unknown). */
export const NO_TOKEN = '0'.repeat(32);

export interface QrGateOptions {
  policy: QrPolicy;
  offlinePolicy: 'refuse' | 'admit';
  profile: Profile;
  venueId: string;
  tokenKey: Buffer;
  deny: { lookup(tokenHex: string): DenyReasonName | undefined };
  replay: QrContext['replay'];
  credentials?: QrContext['credentials'];
  used: UsedTickets;
  online: OnlineCheck;
  isOnline: () => boolean;
  now: () => number;
  log: Logger;
}

export class QrGate {
  constructor(private readonly opts: QrGateOptions) {}

  /**
   * Decides a scan. Offline-verifiable codes are decided and journaled before this returns;
   * an outside code checked online returns undefined and calls respond when decided.
   */
  handle(text: string, record: RecordScan, respond?: (signal: GateSignal) => void): GateSignal | undefined {
    const { opts } = this;
    const nowMs = opts.now();
    const verdict = verifyQr(text, opts.policy, {
      nowMs,
      venueId: opts.venueId,
      replay: opts.replay,
      ticketUsed: (id) => opts.used.has(id),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
    if (verdict.ok && verdict.kind === 'outside') {
      if (!opts.isOnline() || !respond) return record(this.unchecked(verdict.code));
      // The gate waits for respond; if journaling fails (the agent stopping meanwhile), the scan
      // was never decided and the gate stays shut, as for any tap the journal refused.
      void this.checkOnline(verdict.code, nowMs)
        .then((d) => respond(record(d)))
        .catch((err: unknown) =>
          opts.log.error({ err: (err as Error).message }, 'QR online check not journaled'),
        );
      return undefined;
    }
    return record(this.decide(verdict, nowMs));
  }

  private decide(verdict: Exclude<QrVerdict, { kind: 'outside' }>, nowMs: number): QrDecided {
    if (!verdict.ok) return deny(verdict.cardToken ?? NO_TOKEN, verdict.reason);
    if (verdict.kind === 'dynamic') {
      // The card's facts as the decision rules see them; a valid credential does not outlive a
      // lost-card report: the deny list has the last word.
      const facts = qrFacts(verdict, {
        deny: this.opts.deny.lookup(verdict.cardToken),
        regionRecognised: true,
      });
      const decided = decideCardTap(this.opts.profile, facts.deny);
      return {
        cardToken: verdict.cardToken,
        issuingRegion: verdict.region,
        decision: decided.decision,
        reason: decided.reason,
        concession: decided.decision === 'allow' ? concessionFor(facts.flags) : 'none',
      };
    }
    // Single use: remembered durably BEFORE the gate opens. A crash in between costs the
    // visitor a second scan at the desk; the other order could admit twice.
    this.opts.used.add(verdict.entitlement.id, localDay(nowMs));
    return {
      cardToken: verdict.holderToken,
      issuingRegion: '',
      decision: 'allow',
      reason: 'QR_TICKET_ACCEPTED',
      concession: 'none',
    };
  }

  private async checkOnline(code: string, atMs: number): Promise<QrDecided> {
    const answer = await this.opts.online(code, atMs);
    if (answer === 'unavailable') return this.unchecked(code);
    const token = answer.cardToken ?? this.codeToken(code);
    return answer.valid
      ? {
          cardToken: token,
          issuingRegion: '',
          decision: 'allow',
          reason: 'QR_OUTSIDE_CONFIRMED',
          concession: 'none',
        }
      : deny(token, 'QR_OUTSIDE_REFUSED');
  }

  /** No online answer: the venue's policy. An admitted scan is marked by its reason for reconciliation. */
  private unchecked(code: string): QrDecided {
    const token = this.codeToken(code);
    return this.opts.offlinePolicy === 'admit'
      ? {
          cardToken: token,
          issuingRegion: '',
          decision: 'allow',
          reason: 'QR_ADMITTED_UNCHECKED',
          concession: 'none',
        }
      : deny(token, 'QR_NEEDS_ONLINE_CHECK');
  }

  /**
   * The code's keyed token stands in for the unknown holder: the same code gives the same
   * token (reconciliation matches it with the issuer's settlement), and the code itself, which
   * may identify the holder, is never stored.
   */
  private codeToken(code: string): string {
    return cardTokenHex(this.opts.tokenKey, `qr-outside:${code}`);
  }
}

function deny(cardToken: string, reason: ReasonName): QrDecided {
  return { cardToken, issuingRegion: '', decision: 'deny', reason, concession: 'none' };
}

/** Builds the QR gate from the edge configuration; close() releases the used-ticket table. */
export function openQrGate(
  config: EdgeConfig,
  deps: Pick<QrGateOptions, 'profile' | 'deny' | 'isOnline' | 'now' | 'log'> & { fetch?: typeof fetch },
): { gate: QrGate; close(): void } {
  const keys = parseKeyList(config.qrIssuerKeys);
  if (typeof keys === 'string') throw new Error(`qrIssuerKeys: ${keys}`);
  const used = openUsedTickets(config.journalFile, localDay(deps.now()));
  const gate = new QrGate({
    ...deps,
    policy: {
      keys: new Keyring(keys),
      skewMs: config.qrSkewMs,
      codeTtlMs: config.qrCodeTtlMs,
      outsidePrefixes: config.qrOutsidePrefixes.split(',').filter((p) => p !== ''),
    },
    offlinePolicy: config.qrOfflinePolicy,
    venueId: config.venueId,
    tokenKey: Buffer.from(config.tokenKeyHex, 'hex'),
    replay: new LruReplayGuard(config.qrReplayCacheSize, deps.now),
    credentials: new LruCredentialCache(CREDENTIAL_CACHE_SIZE, deps.now),
    used,
    online: gatewayOnlineCheck({
      gatewayHttpUrl: config.gatewayHttpUrl,
      deviceId: config.deviceId,
      venueId: config.venueId,
      timeoutMs: config.qrOnlineTimeoutMs,
      credential: config.gatewayCredential,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    }),
  });
  return { gate, close: () => used.close() };
}
