// The gateway's plan for a metro (or tap-out bus) entry that no tap ever closes
// (docs/decisions/0113): the sweep charges its missing tap-out as an 'adjustment' record through
// the same exactly-once path as a tap. The dedupe key is derived from the card and the entry's
// time, and the card version is compared and set, so sweeps on several gateway instances, a
// sweep racing the card's next tap, and a sweep repeated after a restart charge it once.
import type { CardState } from './card.js';
import { type Effect, type EffectResult, recordWithoutTap } from './ledger.js';
import { subsidyOf } from './subsidy.js';
import type { CompiledTariff } from './tariff/compile.js';
import { closeOverdue } from './tariff/engine.js';

export function sweepRecordId(cardToken: string, entryAt: number): string {
  return `sweep:${cardToken}:${entryAt}`;
}

/**
 * Plans the missing tap-out of the card's open entry when its network's limit has passed by
 * `now`; undefined when nothing is due (no open entry, or not yet). The charge is due whatever
 * the card's status or balance (the rider travelled), like a tap's: the reason stays the
 * tariff's, the record says the rest (balanceAfterFen below zero).
 */
export function planOverdue(card: CardState, t: CompiledTariff, now: number): Effect | undefined {
  if (!card.known) return undefined;
  const closed = closeOverdue(t, card.flags, card.fare, now);
  if (!closed) return undefined;
  const id = sweepRecordId(card.token, closed.entry.t);
  const balanceAfterFen = card.balanceFen - closed.chargeFen;
  const result: EffectResult = {
    outcome: 'charged',
    chargedFen: closed.chargeFen,
    balanceAfterFen,
    reason: closed.reason,
  };
  // Operator accounts see their network's records: the network's (first) operator. A network
  // reached by route only names none; its adjustments are found by card, station and time.
  const operatorId = t.doc.networks.find((n) => n.id === closed.entry.n)?.operatorIds?.[0] ?? '';
  return {
    dedupeKey: id,
    cardToken: card.token,
    expectVersion: card.version,
    newBalanceFen: balanceAfterFen,
    newFare: closed.state,
    record: {
      ...recordWithoutTap({ id, kind: 'adjustment', card, operatorId, at: closed.at, now }),
      // The entry's station (or stop, for a tap-out bus route): where the unfinished journey began.
      stationId: closed.entry.s,
      concession: closed.concession,
      baseFen: closed.baseFen,
      lines: closed.lines,
      subsidyFen: subsidyOf('adjustment', closed.lines),
      amountFen: 0 - closed.chargeFen,
      ...result,
    },
    result,
  };
}
