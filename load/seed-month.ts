// A month of rides for the console's benchmarks and the k6 runs: one bus company's lines, its
// riders (some seniors riding free, some students at half fare) and taps spread over the hours
// of each day, committed through the store's real commit path in batches.

import type { CardState } from '../core/card.js';
import { ConcessionFlag } from '../core/card.js';
import { chain, type Effect, planTap } from '../core/ledger.js';
import { cardTokenHex, maskCardNumber } from '../core/pii.js';
import { flatPricer } from '../core/pricing.js';
import { flatFare } from '../core/tariff/flat.js';
import type { Store } from '../gateway/src/store/port.js';

export interface SeedOptions {
  operatorId: string;
  tokenKey: Buffer;
  days: number;
  ridesPerDay: number;
  cards: number;
  lines: number;
  /** The month ends here (Unix ms). */
  now: number;
  onProgress?: (done: number, total: number) => void;
}

export interface Seeded {
  cardNumbers: string[];
  tokens: string[];
  devices: string[];
}

const DAY = 86_400_000;
// A weekday's shape: peaks at 7-9 and 17-19 (China Standard Time = UTC+8).
const HOURLY = [1, 0, 0, 0, 0, 2, 6, 12, 11, 7, 5, 5, 6, 5, 5, 6, 8, 12, 11, 7, 5, 4, 3, 2];

export function cardNumberOf(i: number): string {
  return `M${String(i).padStart(8, '0')}`;
}

export async function seedMonth(store: Store, o: SeedOptions): Promise<Seeded> {
  const cardNumbers = Array.from({ length: o.cards }, (_, i) => cardNumberOf(i));
  const tokens = cardNumbers.map((n) => cardTokenHex(o.tokenKey, n));
  const states = new Map<string, CardState>();
  for (const [i, n] of cardNumbers.entries()) {
    const flags = i % 10 === 0 ? ConcessionFlag.SENIOR : i % 10 === 1 ? ConcessionFlag.STUDENT : 0;
    await store.issueCard({
      token: tokens[i]!,
      masked: maskCardNumber(n),
      region: '500228',
      flags,
      balanceFen: 1e9,
    });
  }
  for (const [t, c] of await store.loadCards(tokens)) states.set(t, c);
  const devices = Array.from({ length: o.lines }, (_, l) => `${o.operatorId}-bus-${l + 1}`);
  for (const [l, deviceId] of devices.entries())
    await store.upsertDevice({
      deviceId,
      operatorId: o.operatorId,
      profile: 'bus_validator',
      routeId: String(l + 1),
      stationId: '',
      venueId: '',
    });
  const weight = HOURLY.reduce((a, b) => a + b, 0);
  const fare = flatPricer(flatFare());
  const total = o.days * o.ridesPerDay;
  const seqs = new Map<string, number>();
  let batch: Effect[] = [];
  let done = 0;
  const start = Math.floor((o.now - o.days * DAY) / DAY) * DAY;
  for (let d = 0; d < o.days; d++) {
    for (let hour = 0; hour < 24; hour++) {
      const n = Math.round((o.ridesPerDay * HOURLY[(hour + 8) % 24]!) / weight);
      for (let k = 0; k < n; k++) {
        const at = start + d * DAY + hour * 3_600_000 + Math.floor((k / n) * 3_600_000);
        if (at >= o.now) continue;
        const token = tokens[(done * 7919) % tokens.length]!;
        const line = (done * 31) % o.lines;
        const deviceId = devices[line]!;
        const seq = (seqs.get(deviceId) ?? 0) + 1;
        seqs.set(deviceId, seq);
        const { effect, next } = chain(states.get(token)!, (c) =>
          planTap(
            c,
            {
              operatorId: o.operatorId,
              deviceId,
              seq,
              deviceTimeMs: at,
              credential: 'card',
              cardToken: token,
              issuingRegion: '500228',
              routeId: String(line + 1),
              stopId: `s${(k % 20) + 1}`,
              stationId: '',
              venueId: '',
              direction: 'board',
              edgeDecision: 'allow',
              edgeReason: 'OK',
              offline: false,
            },
            fare,
            at + 2_000,
          ),
        );
        states.set(token, next);
        batch.push(effect);
        done++;
        if (batch.length === 1000) {
          await store.commit(batch);
          batch = [];
          o.onProgress?.(done, total);
        }
      }
    }
  }
  if (batch.length > 0) await store.commit(batch);
  o.onProgress?.(total, total);
  return { cardNumbers, tokens, devices };
}
