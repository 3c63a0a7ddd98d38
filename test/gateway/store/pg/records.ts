// Records for the PostgreSQL history tests, planned by the real core (core/ledger.ts) as the
// gateway commits them, without a ledger store: what arrives on the records topic.
import type { CardState } from '../../../../core/card.js';
import type { LedgerRecord } from '../../../../core/ledger.js';
import { planRun, tap, token } from '../fixtures.js';

export function card(n: number): CardState {
  return {
    token: token(n),
    known: true,
    version: 1,
    balanceFen: 1_000_000,
    status: 'active',
    flags: 0,
    masked: `A12****${String(n % 100).padStart(2, '0')}`,
    region: '500100',
    fare: {},
  };
}

/** count bus rides of cards 0..cards-1 in turn, one every stepMs from start; seqs from seq0. */
export function rides(count: number, start: number, stepMs: number, cards = 4, seq0 = 1): LedgerRecord[] {
  const states = new Map<string, CardState>();
  for (let n = 0; n < cards; n++) states.set(token(n), card(n));
  const taps = Array.from({ length: count }, (_, i) =>
    tap({ cardToken: token(i % cards), seq: seq0 + i, deviceTimeMs: start + i * stepMs }),
  );
  return planRun(states, taps).map((e) => e.record);
}
