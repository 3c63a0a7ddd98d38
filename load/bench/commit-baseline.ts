// The tap path's own baseline (load/bench/main.ts): the cards the bench issues, and the commit
// script in a tight loop with no MQTT and no gateway process, redis_lua_commits_per_s.

import { unknownCard } from '../../core/card.js';
import type { TapInput } from '../../core/ledger.js';
import { flatPricer } from '../../core/pricing.js';
import { flatFare } from '../../core/tariff/flat.js';
import { planBatch } from '../../gateway/src/ingest/plan.js';
import type { Store } from '../../gateway/src/store/port.js';
import { busTap } from './bus-tap.js';
import { progress } from './stats.js';

export interface BaselineParams {
  cards: number;
  partitions: number;
  tapsPerBatch: number;
  baselineSeconds: number;
}

export function token(i: number): string {
  return (i.toString(16).padStart(8, '0') + 'b'.repeat(24)).slice(0, 32);
}

export async function issueCards(store: Store, P: BaselineParams): Promise<string[]> {
  const tokens = Array.from({ length: P.cards }, (_, i) => token(i));
  const show = progress('issuing cards');
  for (let i = 0; i < tokens.length; i += 1000) {
    await Promise.all(
      tokens
        .slice(i, i + 1000)
        .map((t) =>
          store.issueCard({ token: t, masked: 'B00****00', region: '500228', flags: 0, balanceFen: 1e12 }),
        ),
    );
    show(Math.min(i + 1000, tokens.length), tokens.length);
  }
  return tokens;
}

/** Same commit path as the gateway, minus MQTT: K loops on disjoint cards, no conflicts. */
export async function baseline(
  store: Store,
  tokens: string[],
  P: BaselineParams,
): Promise<{ tapsPerS: number; callsPerS: number }> {
  const fare = flatPricer(flatFare());
  const loops = 8;
  const cards = await store.loadCards(tokens);
  const deadline = performance.now() + P.baselineSeconds * 1000;
  let taps = 0;
  let calls = 0;
  let seq = 0;
  const show = progress('baseline (commit script in a tight loop)');
  const started = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async (_, k) => {
      const mine = tokens.filter((_, i) => i % loops === k);
      let next = 0;
      while (performance.now() < deadline) {
        const batch: TapInput[] = [];
        for (let i = 0; i < P.tapsPerBatch; i++) {
          const t = mine[next++ % mine.length]!;
          batch.push(busTap('bench', `baseline-${k}`, ++seq, Date.now(), t));
        }
        const effects = planBatch(batch, cards, fare, Date.now());
        for (const e of effects) {
          const c = cards.get(e.cardToken) ?? unknownCard(e.cardToken);
          cards.set(e.cardToken, { ...c, version: c.version + 1, balanceFen: e.newBalanceFen });
        }
        const outcomes = await store.commit(effects);
        if (outcomes.some((o) => o.status === 'conflict'))
          throw new Error('baseline loops must not conflict');
        taps += effects.length;
        calls += new Set(effects.map((e) => Number.parseInt(e.cardToken.slice(0, 8), 16) % P.partitions))
          .size;
        show(Math.round(performance.now() - started), P.baselineSeconds * 1000);
      }
    }),
  );
  const s = (performance.now() - started) / 1000;
  return { tapsPerS: taps / s, callsPerS: calls / s };
}
