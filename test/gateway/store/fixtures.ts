// Test data for the store contract: card tokens, taps and cards, built with the real pure core
// (core/ledger.ts plans every effect), so the stores are tested with what the gateway commits.
import { createHash } from 'node:crypto';
import type { CardState } from '../../../core/card.js';
import { chain, type Effect, planTap, planTopUp, type TapInput } from '../../../core/ledger.js';
import { flatPricer } from '../../../core/pricing.js';
import { flatFare } from '../../../core/tariff/flat.js';
import type { LedgerStore, NewCard } from '../../../gateway/src/store/port.js';

/** Bus 200 fen, metro exit 300 fen; students pay half. */
export const fare = flatPricer(flatFare());

/** A fixed clock for records, far from 0 so a 0 default would show. */
export const T0 = 1_750_000_000_000;

/**
 * A card token whose first 4 bytes are n: card n sits in Redis partition n % partitions, so
 * cards 0, 1, 2, ... spread over different partitions (and hash slots).
 */
export function token(n: number): string {
  const rest = createHash('sha256').update(`card-${n}`).digest('hex').slice(8, 32);
  return n.toString(16).padStart(8, '0') + rest;
}

export function newCard(n: number, balanceFen = 10_000, flags = 0): NewCard {
  return {
    token: token(n),
    masked: `A12****${String(n % 100).padStart(2, '0')}`,
    region: '500100',
    flags,
    balanceFen,
  };
}

/** Issues the card and returns its state as loaded back. */
export async function issue(
  store: LedgerStore,
  n: number,
  balanceFen = 10_000,
  flags = 0,
): Promise<CardState> {
  await store.issueCard(newCard(n, balanceFen, flags));
  return load(store, token(n));
}

export async function load(store: LedgerStore, cardToken: string): Promise<CardState> {
  return (await store.loadCards([cardToken])).get(cardToken)!;
}

/** A bus tap that the device let through, online. */
export function tap(fields: Partial<TapInput> & { cardToken: string; seq: number }): TapInput {
  return {
    operatorId: 'bus-co',
    deviceId: 'bus-1',
    deviceTimeMs: T0 + fields.seq * 1000,
    credential: 'card',
    issuingRegion: '500100',
    routeId: 'r1',
    stopId: 's1',
    stationId: '',
    venueId: '',
    direction: 'board',
    edgeDecision: 'allow',
    edgeReason: 'OK',
    offline: false,
    ...fields,
  };
}

export function rideOf(card: CardState, t: TapInput, now = T0): Effect {
  return planTap(card, t, fare, now);
}

export function topUpOf(card: CardState, requestId: string, amountFen: number, now = T0): Effect {
  return planTopUp(card, { requestId, amountFen, channel: 'counter-1' }, now);
}

/** Plans taps of possibly several cards in order, chaining each card's versions (as ingest does). */
export function planRun(
  cards: ReadonlyMap<string, CardState>,
  taps: readonly TapInput[],
  now = T0,
): Effect[] {
  const state = new Map(cards);
  return taps.map((t) => {
    const { effect, next } = chain(state.get(t.cardToken)!, (c) => planTap(c, t, fare, now));
    state.set(t.cardToken, next);
    return effect;
  });
}
