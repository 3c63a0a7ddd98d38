// What comes off a leg's price after transfers, in order: the medium's discount over the cash
// price, the rider category (concession), the monthly spend tier, then daily/weekly caps.
// Each step adds a line for what it takes off, and works on what the previous step left.
import type { CompiledTariff } from './compile.js';
import { afterPercentOff, type FareLine, yuan } from './lines.js';
import type { RiderCategory } from './model.js';
import { accumulated, type FareState, periodKey } from './state.js';

export interface Rider {
  flags: number;
  medium: 'card' | 'qr';
}

export function mediumDiscount(
  t: CompiledTariff,
  rider: Rider,
  networkId: string,
  fen: number,
  lines: FareLine[],
): number {
  const medium = t.media.get(rider.medium);
  const d = medium?.discounts?.find((x) => x.networkId === networkId);
  if (!medium || !d || fen <= 0) return fen;
  const pay = afterPercentOff(fen, d.percentOff);
  if (pay !== fen)
    lines.push({ kind: 'card_discount', fen: pay - fen, note: `${medium.name} ${d.percentOff}% off` });
  return pay;
}

function categoryFare(c: RiderCategory, baseFen: number): number {
  return c.discount.kind === 'free' ? 0 : Math.floor((baseFen * c.discount.percent) / 100);
}

/** The eligible category that leaves the rider the lowest fare; ties go to the first listed. */
export function concession(
  t: CompiledTariff,
  rider: Rider,
  networkId: string,
  baseFen: number,
  fen: number,
  lines: FareLine[],
): { fen: number; category: string } {
  let best: RiderCategory | undefined;
  let bestFen = fen;
  for (let i = 0; i < t.categories.length; i++) {
    const c = t.categories[i]!;
    if (c.networkIds && !c.networkIds.includes(networkId)) continue;
    if ((rider.flags & t.categoryBits[i]!) === 0) continue;
    const pay = Math.min(fen, categoryFare(c, baseFen));
    if (best === undefined || pay < bestFen) {
      best = c;
      bestFen = pay;
    }
  }
  if (!best) return { fen, category: 'none' };
  if (bestFen !== fen)
    lines.push({
      kind: 'concession',
      fen: bestFen - fen,
      note:
        best.discount.kind === 'free'
          ? `${best.name}: free ride, ${yuan(fen)} waived`
          : `${best.name}: ${best.discount.percent}% of the cash price`,
    });
  return { fen: bestFen, category: best.id };
}

/** Beijing-style tiers: the month's spend before this ride picks the discount (docs/decisions/0111). */
export function spendTier(
  t: CompiledTariff,
  state: FareState,
  networkId: string,
  at: number,
  fen: number,
  lines: FareLine[],
): number {
  const tiers = t.tiersOf.get(networkId);
  if (!tiers || fen <= 0) return fen;
  const spent = accumulated(state, tiers.id, periodKey('month', at));
  let pct = 0;
  for (const tier of tiers.tiers) if (spent >= tier.fromFen) pct = tier.percentOff;
  if (pct === 0) return fen;
  const pay = afterPercentOff(fen, pct);
  lines.push({ kind: 'spend_tier', fen: pay - fen, note: `${pct}% off: ${yuan(spent)} spent this month` });
  return pay;
}

export function caps(
  t: CompiledTariff,
  state: FareState,
  networkId: string,
  at: number,
  fen: number,
  lines: FareLine[],
): number {
  let pay = fen;
  for (const cap of t.capsOf.get(networkId) ?? []) {
    const left = Math.max(0, cap.amountFen - accumulated(state, cap.id, periodKey(cap.period, at)));
    if (pay > left) {
      lines.push({
        kind: 'cap',
        fen: left - pay,
        note: `${cap.period} cap ${cap.id} of ${yuan(cap.amountFen)} reached`,
      });
      pay = left;
    }
  }
  return pay;
}

/** Adds fen (negative for a reversal) to the accumulators of the network's tier and caps. */
export function accumulate(
  t: CompiledTariff,
  state: FareState,
  networkId: string,
  at: number,
  fen: number,
): void {
  if (fen === 0) return;
  const tiers = t.tiersOf.get(networkId);
  const caps = t.capsOf.get(networkId);
  if (!tiers && (!caps || caps.length === 0)) return;
  const acc = { ...state.acc };
  if (tiers) {
    const key = periodKey('month', at);
    acc[tiers.id] = [key, Math.max(0, accumulated(state, tiers.id, key) + fen)];
  }
  for (const cap of caps ?? []) {
    const key = periodKey(cap.period, at);
    acc[cap.id] = [key, Math.max(0, accumulated(state, cap.id, key) + fen)];
  }
  state.acc = acc;
}
