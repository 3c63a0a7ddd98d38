// A leg's cash price from the leg rules (GTFS fare_leg_rules), and what a transfer rule
// (GTFS fare_transfer_rules) makes of it when it continues the journey of the previous leg.

import { type CompiledTariff, distanceM } from './compile.js';
import { distanceFare, distanceNote } from './distance.js';
import type { FareProduct, LegRule, TransferRule } from './model.js';
import type { LastLeg } from './state.js';

export interface Leg {
  networkId: string;
  /** Stop or station ids; to is '' for a single-tap (board) leg. */
  from: string;
  to: string;
  /** Departure and arrival, device time (Unix ms); equal for a single-tap leg. */
  dep: number;
  arr: number;
}

export interface LegPrice {
  legGroupId: string;
  fen: number;
  note: string;
  /** The tap's medium: transfer products are priced for it too. */
  medium: Medium;
}

type Medium = 'card' | 'qr';

/** A product's price for the medium tapped (FareProduct.qrFen). */
function amount(p: FareProduct, medium: Medium): number {
  return medium === 'qr' && p.qrFen !== undefined ? p.qrFen : p.amountFen;
}

function inTimeframe(t: CompiledTariff, id: string, ms: number): boolean {
  const { minute, weekday, date } = t.local(ms);
  return (t.timeframes.get(id) ?? []).some(
    (tf) =>
      minute >= tf.startMin &&
      minute < tf.endMin &&
      !tf.removeDates?.includes(date) &&
      (tf.addDates?.includes(date) ||
        ((!tf.days || tf.days.includes(weekday)) &&
          (!tf.fromDate || date >= tf.fromDate) &&
          (!tf.toDate || date <= tf.toDate))),
  );
}

function matches(t: CompiledTariff, r: LegRule, leg: Leg): boolean {
  if (r.fromAreaId && !t.areasOfStop.get(leg.from)?.includes(r.fromAreaId)) return false;
  if (r.toAreaId && !t.areasOfStop.get(leg.to)?.includes(r.toAreaId)) return false;
  if (r.fromTimeframeId && !inTimeframe(t, r.fromTimeframeId, leg.dep)) return false;
  if (r.toTimeframeId && !inTimeframe(t, r.toTimeframeId, leg.arr)) return false;
  const inAreas = (ids: string[], stop: string) => ids.some((a) => t.areasOfStop.get(stop)?.includes(a));
  if (r.exceptFromAreaIds && inAreas(r.exceptFromAreaIds, leg.from)) return false;
  if (r.exceptToAreaIds && inAreas(r.exceptToAreaIds, leg.to)) return false;
  if (r.exceptFromTimeframeIds?.some((id) => inTimeframe(t, id, leg.dep))) return false;
  if (r.exceptToTimeframeIds?.some((id) => inTimeframe(t, id, leg.arr))) return false;
  // A distance rule needs both ends; a single-tap leg cannot use it.
  if (r.distanceScaleId && distanceM(t, leg.networkId, leg.from, leg.to) === undefined) return false;
  return true;
}

/** The first matching rule (they are sorted best first); undefined when none prices this leg. */
export function priceLeg(t: CompiledTariff, leg: Leg, medium: Medium = 'card'): LegPrice | undefined {
  const rules = t.legRules.get(leg.networkId);
  if (!rules) return undefined;
  for (const r of rules) {
    if (!matches(t, r, leg)) continue;
    if (r.productId) {
      const p = t.products.get(r.productId)!;
      return { legGroupId: r.legGroupId, fen: Math.max(0, amount(p, medium)), note: p.name, medium };
    }
    const scale = t.scales.get(r.distanceScaleId!)!;
    const m = distanceM(t, leg.networkId, leg.from, leg.to)!;
    return { legGroupId: r.legGroupId, fen: distanceFare(scale, m), note: distanceNote(scale, m), medium };
  }
  return undefined;
}

/**
 * The highest cash price of any leg from (or, distances being symmetric, to) a station: what an
 * unfinished journey is charged. Rare, so a scan over the candidate stops is fine.
 */
export function maxLegFrom(
  t: CompiledTariff,
  networkId: string,
  station: string,
  at: number,
): LegPrice | undefined {
  const g = t.graphs.get(networkId);
  let best: LegPrice | undefined;
  // Stations of the network's lines, and every stop in an area (for area-pair rules).
  for (const other of [...(g?.stations ?? []), ...t.areasOfStop.keys()]) {
    const p = priceLeg(t, { networkId, from: station, to: other, dep: at, arr: at });
    if (p && (!best || p.fen > best.fen)) best = p;
  }
  return best;
}

function within(r: TransferRule, last: LastLeg, leg: Leg): boolean {
  if (r.durationLimitMin === undefined) return true;
  const limit = r.durationLimitMin * 60_000;
  switch (r.durationLimitType ?? 'dep_arr') {
    case 'dep_arr':
      return leg.arr - last.d <= limit;
    case 'dep_dep':
      return leg.dep - last.d <= limit;
    case 'arr_dep':
      return leg.dep - last.a <= limit;
    case 'arr_arr':
      return leg.arr - last.a <= limit;
  }
}

export interface Transfer {
  /** What the leg costs after the transfer rule, fen, never negative. */
  fen: number;
  note: string;
}

/**
 * GTFS fare_transfer_type: a_ab (0) the next leg costs AB; a_ab_b (1) it costs AB + B;
 * ab (2) the whole journey costs AB, so the leg costs what is left of it.
 */
export function applyTransfer(
  t: CompiledTariff,
  last: LastLeg | undefined,
  leg: Leg,
  price: LegPrice,
): Transfer | undefined {
  if (!last || leg.dep < last.d) return undefined;
  for (const r of t.transferRules) {
    if (r.fromLegGroupId !== undefined && r.fromLegGroupId !== last.g) continue;
    if (r.toLegGroupId !== undefined && r.toLegGroupId !== price.legGroupId) continue;
    const count = r.transferCount ?? 1;
    if (count !== -1 && last.k >= count) continue;
    if (!within(r, last, leg)) continue;
    const ab = r.productId ? amount(t.products.get(r.productId)!, price.medium) : 0;
    const fen = r.type === 'a_ab' ? ab : r.type === 'a_ab_b' ? ab + price.fen : ab - last.p;
    return {
      fen: Math.max(0, fen),
      note: `transfer ${last.k + 1} from ${last.g} to ${price.legGroupId}${r.productId ? ` (${r.productId})` : ''}`,
    };
  }
  return undefined;
}
