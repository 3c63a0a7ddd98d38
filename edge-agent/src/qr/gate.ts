// A QR scan on the device, the credential side only: verify the code offline
// (core/credentials) and say what it PROVES: a card (token, concession flags, region), an
// entitlement (a signed ticket or reservation), or a refusal. Whether the holder may pass is
// the entry rules' word, taken by the verifier exactly as for a card tap
// (docs/decisions/0070-qr-through-entry-rules.md). Outside issuers' codes prove nothing offline:
// they are checked online when the link is up; otherwise, or when the check fails, the venue's
// policy decides, here.

import type { AppliedConcessionName } from '../../../core/concession.js';
import {
  Keyring,
  parseKeyList,
  type QrContext,
  type QrPolicy,
  type QrVerdict,
  verifyQr,
} from '../../../core/credentials/index.js';
import { cardTokenHex } from '../../../core/pii.js';
import { localDay } from '../../../core/time.js';
import type { DecisionName, ReasonName } from '../../../protos/codec.js';
import type { EdgeConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { GateSignal } from '../reader/port.js';
import { LruCredentialCache, LruReplayGuard } from './caches.js';
import { gatewayOnlineCheck, type OnlineCheck } from './online.js';
import { openUsedTickets, type UsedTickets } from './used-tickets.js';

/** A scan decided without the entry rules (a refused code, an outside issuer's code): what the verifier journals. */
export interface QrDecided {
  cardToken: string;
  issuingRegion: string;
  decision: DecisionName;
  reason: ReasonName;
  concession: AppliedConcessionName;
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
  tokenKey: Buffer;
  replay: QrContext['replay'];
  credentials?: QrContext['credentials'];
  used: UsedTickets;
  online: OnlineCheck;
  isOnline: () => boolean;
  log: Logger;
}

export class QrGate {
  constructor(private readonly opts: QrGateOptions) {}

  /** What the scanned text proves, verified offline. Never throws. */
  prove(text: string, nowMs: number): QrVerdict {
    const { opts } = this;
    return verifyQr(text, opts.policy, {
      nowMs,
      replay: opts.replay,
      ticketUsed: (id) => opts.used.has(id),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
  }

  /**
   * A single-use ticket admitted someone: remembered durably BEFORE the gate opens. A crash in
   * between costs the visitor a second scan at the desk; the other order could admit twice.
   */
  spend(ticketIdHex: string, nowMs: number): void {
    this.opts.used.add(ticketIdHex, localDay(nowMs));
  }

  /**
   * An outside issuer's code: checked online when the link is up and the reader can wait
   * (returns undefined, calls respond once decided and journaled); otherwise the venue's policy.
   */
  outside(
    code: string,
    nowMs: number,
    record: RecordScan,
    respond?: (signal: GateSignal) => void,
  ): GateSignal | undefined {
    const { opts } = this;
    if (!opts.isOnline() || !respond) return record(this.unchecked(code));
    // The gate waits for respond; if journaling fails (the agent stopping meanwhile), the scan
    // was never decided and the gate stays shut, as for any tap the journal refused.
    void this.checkOnline(code, nowMs)
      .then((d) => respond(record(d)))
      .catch((err: unknown) =>
        opts.log.error({ err: (err as Error).message }, 'QR online check not journaled'),
      );
    return undefined;
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
      : refusedScan(token, 'QR_OUTSIDE_REFUSED');
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
      : refusedScan(token, 'QR_NEEDS_ONLINE_CHECK');
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

/** A scan refused before the entry rules (the code proved nothing, or its issuer said no). */
export function refusedScan(cardToken: string, reason: ReasonName): QrDecided {
  return { cardToken, issuingRegion: '', decision: 'deny', reason, concession: 'none' };
}

/** Builds the QR gate from the edge configuration; close() releases the used-ticket table. */
export function openQrGate(
  config: EdgeConfig,
  deps: Pick<QrGateOptions, 'isOnline' | 'log'> & { now: () => number; fetch?: typeof fetch },
): { gate: QrGate; close(): void } {
  const keys = parseKeyList(config.qrIssuerKeys, 'public');
  if (typeof keys === 'string') throw new Error(`qrIssuerKeys: ${keys}`);
  const used = openUsedTickets(config.journalFile, localDay(deps.now()));
  const gate = new QrGate({
    isOnline: deps.isOnline,
    log: deps.log,
    policy: {
      keys: new Keyring(keys),
      skewMs: config.qrSkewMs,
      codeTtlMs: config.qrCodeTtlMs,
      outsidePrefixes: config.qrOutsidePrefixes.split(',').filter((p) => p !== ''),
    },
    offlinePolicy: config.qrOfflinePolicy,
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
