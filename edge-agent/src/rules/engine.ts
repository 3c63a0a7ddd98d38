// The device side of the entry rules: looks up the card's history, rolls it to now, asks the
// pure decideEntry (core/entry/decide.ts) and, once the tap is journaled, remembers the passage.
// The verifier calls decide() then passed(); nothing here waits on a network.
import { decideEntry, type EntryDecision, type Gate } from '../../../core/entry/decide.js';
import { afterPassage, type CardHistory, currentHistory } from '../../../core/entry/history.js';
import type { CardFacts } from '../../../core/facts.js';
import type { HistoryStore } from './history.js';

/** Prune the persisted history every this many passages (and at start). */
const PRUNE_EVERY = 1000;

export interface EntryEngineOptions {
  gate: Gate;
  history: HistoryStore;
  /** The journal's highest acked seq: spending up to it is confirmed by the gateway. */
  lastAckedSeq: () => number;
}

export interface Decided {
  decision: EntryDecision;
  history: CardHistory;
}

export class EntryEngine {
  private passages = 0;
  constructor(private readonly opts: EntryEngineOptions) {}

  start(now: number): void {
    this.opts.history.prune(now, this.opts.lastAckedSeq());
  }

  decide(token: string, facts: CardFacts, now: number, online: boolean): Decided {
    const history = currentHistory(this.opts.history.get(token), now, this.opts.lastAckedSeq());
    return { decision: decideEntry(this.opts.gate, { facts, history, now, online }), history };
  }

  /** After the journal append: the passage (if allowed) joins the card's history. */
  passed(token: string, d: Decided, seq: number, now: number, offline: boolean): void {
    if (d.decision.decision !== 'allow') return;
    const next = afterPassage(
      d.history,
      {
        direction: this.opts.gate.profile.direction,
        allowed: true,
        offline,
        seq,
        estimateFen: d.decision.estimateFen,
        entitlementId: d.decision.entitlementId,
      },
      now,
    );
    this.opts.history.set(token, next, now);
    if (++this.passages % PRUNE_EVERY === 0) this.opts.history.prune(now, this.opts.lastAckedSeq());
  }
}
