// Turns a validated tariff document into lookup tables the engine reads in constant time:
// route/operator/station → network, stop → areas, station-pair distances (shortest path over the
// network's lines, changing lines where they share a station, as Beijing prices its metro), and
// leg rules pre-sorted so the first match is the winner.

import type { ConcessionRegistry } from '../concession.js';
import { tariffConcessions } from './concessions.js';
import { type LocalClock, localClock } from './localtime.js';
import type {
  Cap,
  DistanceScale,
  FareMedium,
  FareProduct,
  LegRule,
  Network,
  RiderCategory,
  SpendTiers,
  TariffDoc,
  Timeframe,
  TransferRule,
} from './model.js';

export interface NetworkGraph {
  stations: string[];
  index: Map<string, number>;
  /** Shortest distances in metres, row-major n×n; -1 when unreachable. */
  metres: Float64Array;
}

export interface CompiledTariff {
  doc: TariffDoc;
  networks: Map<string, Network>;
  networkOfRoute: Map<string, string>;
  networkOfOperator: Map<string, string>;
  networkOfStation: Map<string, string>;
  /** The network of taps no route, station or operator places (Network.catchAll). */
  catchAll: string | undefined;
  /** Wall-clock time in the tariff's timezone, for timeframes. */
  local: LocalClock;
  areasOfStop: Map<string, string[]>;
  products: Map<string, FareProduct>;
  scales: Map<string, DistanceScale>;
  /** Intervals by timeframe id. */
  timeframes: Map<string, Timeframe[]>;
  graphs: Map<string, NetworkGraph>;
  /** Per network id: its rules then the network-less ones, best first. */
  legRules: Map<string, LegRule[]>;
  transferRules: TransferRule[];
  media: Map<string, FareMedium>;
  categories: RiderCategory[];
  /** Per category, in the same order: the card bits that make a card eligible (any of them). */
  categoryBits: number[];
  /** The built-in concessions and the tariff's own: names to card bits. */
  concessions: ConcessionRegistry;
  capsOf: Map<string, Cap[]>;
  tiersOf: Map<string, SpendTiers>;
}

// Of two rules with one priority, the one naming more areas and timeframes wins; then the one
// naming the network (GTFS prefers a rule for the leg's network over an empty network_id).
function specificity(r: LegRule): number {
  return (
    2 *
      ((r.fromAreaId ? 1 : 0) +
        (r.toAreaId ? 1 : 0) +
        (r.fromTimeframeId ? 1 : 0) +
        (r.toTimeframeId ? 1 : 0)) +
    (r.networkId ? 1 : 0)
  );
}

function graphOf(doc: TariffDoc, networkId: string): NetworkGraph {
  const stations: string[] = [];
  const index = new Map<string, number>();
  const at = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = stations.push(s) - 1;
      index.set(s, i);
    }
    return i;
  };
  const lines = doc.lines.filter((l) => l.networkId === networkId);
  for (const l of lines) for (const s of l.stations) at(s.stationId);
  const n = stations.length;
  const m = new Float64Array(n * n).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < n; i++) m[i * n + i] = 0;
  for (const l of lines)
    for (let k = 1; k < l.stations.length; k++) {
      const a = at(l.stations[k - 1]!.stationId);
      const b = at(l.stations[k]!.stationId);
      const d = l.stations[k]!.atM - l.stations[k - 1]!.atM;
      if (d < m[a * n + b]!) {
        m[a * n + b] = d;
        m[b * n + a] = d;
      }
    }
  // Floyd–Warshall: networks have tens to a few hundred stations, computed once at load.
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++) {
      const ik = m[i * n + k]!;
      if (ik === Number.POSITIVE_INFINITY) continue;
      for (let j = 0; j < n; j++) {
        const via = ik + m[k * n + j]!;
        if (via < m[i * n + j]!) m[i * n + j] = via;
      }
    }
  for (let i = 0; i < m.length; i++) if (m[i] === Number.POSITIVE_INFINITY) m[i] = -1;
  return { stations, index, metres: m };
}

export function compileTariff(doc: TariffDoc): CompiledTariff {
  const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((x) => [x.id, x]));
  const networkOfStation = new Map<string, string>();
  for (const l of doc.lines) for (const s of l.stations) networkOfStation.set(s.stationId, l.networkId);
  const networkOfOperator = new Map<string, string>();
  for (const n of doc.networks) for (const o of n.operatorIds ?? []) networkOfOperator.set(o, n.id);
  const areasOfStop = new Map<string, string[]>();
  for (const sa of doc.stopAreas)
    areasOfStop.set(sa.stopId, [...(areasOfStop.get(sa.stopId) ?? []), sa.areaId]);

  const ordered = doc.legRules
    .map((r, order) => ({ r, order }))
    .sort(
      (a, b) =>
        (b.r.priority ?? 0) - (a.r.priority ?? 0) || specificity(b.r) - specificity(a.r) || a.order - b.order,
    )
    .map((x) => x.r);
  const timeframes = new Map<string, Timeframe[]>();
  for (const tf of doc.timeframes) timeframes.set(tf.id, [...(timeframes.get(tf.id) ?? []), tf]);
  const legRules = new Map<string, LegRule[]>();
  const capsOf = new Map<string, Cap[]>();
  const tiersOf = new Map<string, SpendTiers>();
  const graphs = new Map<string, NetworkGraph>();
  for (const n of doc.networks) {
    legRules.set(
      n.id,
      ordered.filter((r) => r.networkId === undefined || r.networkId === n.id),
    );
    capsOf.set(
      n.id,
      doc.caps.filter((c) => c.networkIds.includes(n.id)),
    );
    const tiers = doc.spendTiers.find((t) => t.networkIds.includes(n.id));
    if (tiers) tiersOf.set(n.id, tiers);
    if (n.tapOut) graphs.set(n.id, graphOf(doc, n.id));
  }
  const concessions = tariffConcessions(doc);
  return {
    doc,
    networks: byId(doc.networks),
    networkOfRoute: new Map(doc.routeNetworks.map((rn) => [rn.routeId, rn.networkId])),
    networkOfOperator,
    networkOfStation,
    catchAll: doc.networks.find((n) => n.catchAll)?.id,
    local: localClock(doc.timezone),
    areasOfStop,
    products: byId(doc.products),
    scales: byId(doc.distanceScales),
    timeframes,
    graphs,
    legRules,
    transferRules: doc.transferRules,
    media: new Map(doc.media.map((m) => [m.id, m])),
    categories: doc.riderCategories,
    categoryBits: doc.riderCategories.map((c) => concessions.flagsOf(c.eligibleFlags)),
    concessions,
    capsOf,
    tiersOf,
  };
}

/** Shortest distance in metres between two stations of a tap-out network; undefined if unknown. */
export function distanceM(
  t: CompiledTariff,
  networkId: string,
  from: string,
  to: string,
): number | undefined {
  const g = t.graphs.get(networkId);
  const a = g?.index.get(from);
  const b = g?.index.get(to);
  if (g === undefined || a === undefined || b === undefined) return undefined;
  const d = g.metres[a * g.stations.length + b]!;
  return d < 0 ? undefined : d;
}
