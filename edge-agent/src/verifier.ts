// One tap, start to finish on the device: card number → keyed token (the number is dropped
// here), card facts from the lists, decision by the gate's entry rules (core/entry/, the same
// rules the gateway knows), durable journal append, then the gate signal. All synchronous:
// nothing in between waits on a network.
import type { EdgeDecision } from '../../core/decide.js';
import { cardToken } from '../../core/pii.js';
import type { Profile } from '../../core/profiles.js';
import { displayText, type ReasonName } from '../../core/reasons.js';
import type { Journal, JournalEntry } from './journal/port.js';
import { NO_TOKEN, type QrDecided, type QrGate } from './qr/gate.js';
import type { GateSignal, ReaderTap } from './reader/port.js';
import type { EntryEngine } from './rules/engine.js';
import type { FactsLookup } from './rules/facts.js';

export interface DecisionEvent {
  seq: number;
  decision: EdgeDecision['decision'];
  reason: ReasonName;
  display: EdgeDecision['display'];
  /** The keyed token (32 hex). Logs show only its first 8 characters. */
  cardToken: string;
  offline: boolean;
  deviceTimeMs: number;
}

export interface Location {
  routeId: string;
  stopId: string;
  stationId: string;
  venueId: string;
}

export interface VerifierOptions {
  profile: Profile;
  location: Location;
  tokenKey: Buffer;
  /** What the lists say about a card (rules/facts.ts; lists/lists.ts EdgeLists.cardFacts). */
  facts: FactsLookup;
  rules: EntryEngine;
  journal: Journal;
  /** Whether the MQTT link to the gateway is up right now (taps decided without it are marked). */
  isOnline: () => boolean;
  now: () => number;
  /** After the tap is journaled and before the gate signal returns to the reader. */
  onDecision: (event: DecisionEvent, entry: JournalEntry) => void;
  /** QR scans (edge-agent/src/qr/); without it every scan is refused as unreadable. */
  qr?: QrGate;
}

const REGION = /^\d{6}$/;

export class Verifier {
  constructor(private readonly opts: VerifierOptions) {}

  handle(tap: ReaderTap): GateSignal | undefined {
    const { opts } = this;
    if (tap.credential === 'qr') {
      const record = (d: QrDecided) => this.recordQr(d);
      if (opts.qr) return opts.qr.handle(tap.qrText ?? '', record, tap.respond);
      return record({
        cardToken: NO_TOKEN,
        issuingRegion: '',
        decision: 'deny',
        reason: 'QR_MALFORMED',
        concession: 'none',
      });
    }
    const tokenBytes = cardToken(opts.tokenKey, tap.cardNumber);
    const token = tokenBytes.toString('hex');
    const region = tap.issuingRegion && REGION.test(tap.issuingRegion) ? tap.issuingRegion : '';
    const now = opts.now();
    const online = opts.isOnline();
    const d = opts.rules.decide(token, opts.facts(tokenBytes, region), now, online);
    const decided = d.decision;
    // Durable before the gate opens: see the DECISION in journal/port.ts.
    const entry = opts.journal.append({
      deviceTimeMs: now,
      credential: tap.credential ?? 'card',
      cardToken: token,
      issuingRegion: region,
      ...opts.location,
      direction: opts.profile.direction,
      decision: decided.decision,
      reason: decided.reason,
      concession: decided.concession,
      offline: !online,
      ...(decided.entitlementId ? { entitlementId: decided.entitlementId } : {}),
    });
    opts.rules.passed(token, d, entry.seq, now, entry.offline);
    opts.onDecision(
      {
        seq: entry.seq,
        decision: decided.decision,
        reason: decided.reason,
        display: decided.display,
        cardToken: token,
        offline: entry.offline,
        deviceTimeMs: entry.deviceTimeMs,
      },
      entry,
    );
    return { seq: entry.seq, decision: decided.decision, display: decided.display };
  }

  /** A QR scan decided by edge-agent/src/qr/gate.ts: journaled, then the gate signal. */
  private recordQr(d: QrDecided): GateSignal {
    const { opts } = this;
    const display = displayText[d.reason];
    // Durable before the gate opens: see the DECISION in journal/port.ts.
    const entry = opts.journal.append({
      deviceTimeMs: opts.now(),
      credential: 'qr',
      ...d,
      ...opts.location,
      direction: opts.profile.direction,
      offline: !opts.isOnline(),
    });
    const { seq, offline, deviceTimeMs } = entry;
    opts.onDecision(
      { seq, decision: d.decision, reason: d.reason, display, cardToken: d.cardToken, offline, deviceTimeMs },
      entry,
    );
    return { seq, decision: d.decision, display };
  }
}
