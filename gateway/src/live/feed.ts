// The console's live view, aggregated on the server (docs/decisions/0133): committed records
// are counted per operator and a few of the newest kept; every tick each subscriber gets one
// small event for its scope. At 1,000 or 100,000 taps a second a page gets the same two
// events a second, so it never floods; the event says how many taps the sample stands for.
import type { LedgerRecord } from '../../../core/ledger.js';

export const TICK_MS = 500;
export const SAMPLE = 25;

export interface LiveTap {
  id: string;
  at: number;
  operatorId: string;
  deviceId: string;
  routeId: string;
  stationId: string;
  venueId: string;
  cardMasked: string;
  direction: string;
  outcome: string;
  reason: string;
  edgeDecision: string;
  chargedFen: number;
}

export interface LiveEvent {
  at: number;
  windowMs: number;
  taps: number;
  denied: number;
  chargedFen: number;
  /** Taps per reason code in the window. */
  reasons: Record<string, number>;
  /** The newest taps of the window, at most SAMPLE; taps > sample.length means sampled. */
  sample: LiveTap[];
}

interface Bucket {
  taps: number;
  denied: number;
  chargedFen: number;
  reasons: Map<string, number>;
  sample: LiveTap[];
}

interface Subscriber {
  operatorId: string | undefined;
  send: (e: LiveEvent) => void;
}

function liveTap(r: LedgerRecord): LiveTap {
  return {
    id: r.id,
    at: r.at,
    operatorId: r.operatorId,
    deviceId: r.deviceId,
    routeId: r.routeId,
    stationId: r.stationId,
    venueId: r.venueId,
    cardMasked: r.cardMasked,
    direction: r.direction,
    outcome: r.outcome,
    reason: r.reason,
    edgeDecision: r.edgeDecision,
    chargedFen: r.chargedFen,
  };
}

export class LiveFeed {
  private buckets = new Map<string, Bucket>();
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number) {}

  /** Called with every batch of applied records; O(1) per record, nothing kept past a tick. */
  publish(records: readonly LedgerRecord[]): void {
    if (this.subscribers.size === 0) return;
    for (const r of records) {
      // Taps and entries (rides and venue visits); top-ups are no taps.
      if (r.kind === 'topup') continue;
      let b = this.buckets.get(r.operatorId);
      if (!b) {
        b = { taps: 0, denied: 0, chargedFen: 0, reasons: new Map(), sample: [] };
        this.buckets.set(r.operatorId, b);
      }
      b.taps++;
      if (r.edgeDecision === 'deny') b.denied++;
      b.chargedFen += r.chargedFen;
      b.reasons.set(r.reason, (b.reasons.get(r.reason) ?? 0) + 1);
      b.sample.push(liveTap(r));
      if (b.sample.length > SAMPLE) b.sample.shift();
    }
  }

  /** operatorId undefined: every operator. Returns the unsubscribe function. */
  subscribe(operatorId: string | undefined, send: (e: LiveEvent) => void): () => void {
    const s: Subscriber = { operatorId, send };
    this.subscribers.add(s);
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
    return () => {
      this.subscribers.delete(s);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  /** Sends one event per subscriber for the window that just ended; exposed for tests. */
  tick(): void {
    const buckets = this.buckets;
    this.buckets = new Map();
    const at = this.now();
    for (const s of this.subscribers) {
      const e: LiveEvent = {
        at,
        windowMs: TICK_MS,
        taps: 0,
        denied: 0,
        chargedFen: 0,
        reasons: {},
        sample: [],
      };
      for (const [op, b] of buckets) {
        if (s.operatorId !== undefined && op !== s.operatorId) continue;
        e.taps += b.taps;
        e.denied += b.denied;
        e.chargedFen += b.chargedFen;
        for (const [reason, n] of b.reasons) e.reasons[reason] = (e.reasons[reason] ?? 0) + n;
        e.sample.push(...b.sample);
      }
      e.sample = e.sample.sort((a, b) => a.at - b.at).slice(-SAMPLE);
      s.send(e);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.buckets = new Map();
  }
}
