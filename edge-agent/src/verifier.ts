// One tap or scan, start to finish on the device: card number → keyed token (the number is
// dropped here), or QR code → what it proves (qr/gate.ts); card facts from the lists, decision
// by the gate's entry rules (core/entry/, the same rules the gateway knows), durable journal
// append, then the gate signal. All synchronous: nothing in between waits on a network (an
// outside issuer's QR code excepted, qr/gate.ts).
import { credentialFacts, provenToken } from '../../core/credentials/index.js';
import type { EntryDecision } from '../../core/entry/decide.js';
import type { CardFacts } from '../../core/facts.js';
import { cardToken } from '../../core/pii.js';
import type { Profile } from '../../core/profiles.js';
import { displayText } from '../../core/reasons.js';
import type { JournalEntry } from '../../core/tap.js';
import type { CredentialName, ReasonName } from '../../protos/codec.js';
import type { Journal } from './journal/port.js';
import { NO_TOKEN, type QrDecided, type QrGate, refusedScan } from './qr/gate.js';
import type { GateSignal, ReaderTap } from './reader/port.js';
import type { EntryEngine } from './rules/engine.js';
import type { FactsLookup } from './rules/facts.js';

export interface DecisionEvent {
  seq: number;
  decision: EntryDecision['decision'];
  reason: ReasonName;
  display: EntryDecision['display'];
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

/** A credential about to be judged by the entry rules: a card tap or a verified QR code. */
interface Presented {
  credential: CredentialName;
  /** Journaled as the card token (32 hex). */
  token: string;
  /** Whose passages the entry rules count (anti-passback, entries per day, offline limits). */
  historyKey: string;
  issuingRegion: string;
  facts: CardFacts;
  /** A single-use ticket's id: spent when the decision admits on it. */
  ticketId?: string;
}

export class Verifier {
  constructor(private readonly opts: VerifierOptions) {}

  handle(tap: ReaderTap): GateSignal | undefined {
    const { opts } = this;
    if (tap.credential === 'qr') return this.scan(tap);
    const tokenBytes = cardToken(opts.tokenKey, tap.cardNumber);
    const token = tokenBytes.toString('hex');
    const region = tap.issuingRegion && REGION.test(tap.issuingRegion) ? tap.issuingRegion : '';
    const now = opts.now();
    return this.pass(
      {
        credential: 'card',
        token,
        historyKey: token,
        issuingRegion: region,
        facts: opts.facts(tokenBytes, region),
      },
      now,
    );
  }

  /**
   * A QR scan: the QR gate says what the code proves; a card or an entitlement then goes
   * through the same entry rules as a card tap (docs/decisions/0070-qr-through-entry-rules.md).
   */
  private scan(tap: ReaderTap): GateSignal | undefined {
    const { opts } = this;
    const record = (d: QrDecided) => this.recordQr(d);
    if (!opts.qr) return record(refusedScan(NO_TOKEN, 'QR_MALFORMED'));
    const now = opts.now();
    const proof = opts.qr.prove(tap.qrText ?? '', now);
    if (!proof.ok) return record(refusedScan(proof.cardToken ?? NO_TOKEN, proof.reason));
    if (proof.kind === 'outside') return opts.qr.outside(proof.code, now, record, tap.respond);
    const token = provenToken(proof);
    const region = proof.kind === 'dynamic' ? proof.region : '';
    const ticketId = proof.kind === 'ticket' ? proof.entitlement.id : undefined;
    return this.pass(
      {
        credential: 'qr',
        token,
        // A ticket bound to no card: every such ticket journals the zero token, so its own id
        // keeps its passages (they must not share one anti-passback window).
        historyKey: ticketId !== undefined && token === NO_TOKEN ? ticketId : token,
        issuingRegion: region,
        facts: credentialFacts(proof, opts.facts(Buffer.from(token, 'hex'), region)),
        ...(ticketId !== undefined ? { ticketId } : {}),
      },
      now,
    );
  }

  /** Entry rules → (a ticket spent) → journal → the passage remembered → gate signal. */
  private pass(p: Presented, now: number): GateSignal {
    const { opts } = this;
    const online = opts.isOnline();
    const d = opts.rules.decide(p.historyKey, p.facts, now, online);
    const decided = d.decision;
    if (p.ticketId !== undefined && decided.decision === 'allow' && decided.entitlementId === p.ticketId)
      opts.qr?.spend(p.ticketId, now);
    // Durable before the gate opens: see the DECISION in journal/port.ts.
    const entry = opts.journal.append({
      deviceTimeMs: now,
      credential: p.credential,
      cardToken: p.token,
      issuingRegion: p.issuingRegion,
      ...opts.location,
      direction: opts.profile.direction,
      decision: decided.decision,
      reason: decided.reason,
      concession: decided.concession,
      offline: !online,
      ...(decided.entitlementId ? { entitlementId: decided.entitlementId } : {}),
      // Sent so the gateway keeps the count of a single-use entitlement exactly as long as it is valid (0215).
      ...(decided.entitlementToDay ? { entitlementToDay: decided.entitlementToDay } : {}),
    });
    opts.rules.passed(p.historyKey, d, entry.seq, now, entry.offline);
    opts.onDecision(
      {
        seq: entry.seq,
        decision: decided.decision,
        reason: decided.reason,
        display: decided.display,
        cardToken: p.token,
        offline: entry.offline,
        deviceTimeMs: entry.deviceTimeMs,
      },
      entry,
    );
    return { seq: entry.seq, decision: decided.decision, display: decided.display };
  }

  /** A QR scan decided without the entry rules (refused code, outside issuer): journaled, then the gate signal. */
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
