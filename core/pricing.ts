// What planTap (core/ledger.ts) asks of a tariff: price this tap for this card. Two tariffs
// answer it: the data-driven engine (core/tariff/) and the flat fare of the first version
// (core/tariff/flat.ts), kept for sites that want it. Both explain the charge in lines.
import type { ReasonName } from '../protos/codec.js';
import type { CardState } from './card.js';
import type { TapInput } from './ledger.js';
import type { CompiledTariff } from './tariff/compile.js';
import { priceTap } from './tariff/engine.js';
import type { FareFn } from './tariff/flat.js';
import type { FareLine } from './tariff/lines.js';
import type { FareState } from './tariff/state.js';

export interface Pricing {
  /** Sum of lines, fen; negative when a correction gives money back. */
  chargeFen: number;
  baseFen: number;
  concession: string;
  lines: FareLine[];
  /** The card's fare state after this tap. */
  fare: FareState;
  reason: ReasonName;
}

export type Pricer = (card: CardState, tap: TapInput) => Pricing;

export function tariffPricer(tariff: CompiledTariff): Pricer {
  return (card, tap) => {
    const p = priceTap(tariff, card.flags, card.fare, {
      direction: tap.direction,
      operatorId: tap.operatorId,
      routeId: tap.routeId,
      stopId: tap.stopId,
      stationId: tap.stationId,
      credential: tap.credential,
      at: tap.deviceTimeMs,
    });
    return {
      chargeFen: p.chargeFen,
      baseFen: p.baseFen,
      concession: p.concession,
      lines: p.lines,
      fare: p.state,
      reason: p.reason,
    };
  };
}

/** The flat fare as a Pricer: no fare state, a base line and a concession line. */
export function flatPricer(fare: FareFn): Pricer {
  return (card, tap) => {
    const q = fare({
      direction: tap.direction,
      operatorId: tap.operatorId,
      routeId: tap.routeId,
      flags: card.flags,
    });
    // Array literals, not pushes onto []: a pushed array gets room for 17 lines, per tap (0211).
    const base: FareLine | undefined =
      q.baseFen > 0 ? { kind: 'base', fen: q.baseFen, note: 'flat fare' } : undefined;
    const concession: FareLine | undefined =
      q.fareFen !== q.baseFen
        ? { kind: 'concession', fen: q.fareFen - q.baseFen, note: q.concession }
        : undefined;
    const lines: FareLine[] = base
      ? concession
        ? [base, concession]
        : [base]
      : concession
        ? [concession]
        : [];
    const reason: ReasonName =
      tap.direction === 'entry' && q.baseFen === 0
        ? 'ENTRY_RECORDED'
        : q.fareFen === 0 && q.baseFen > 0
          ? 'CONCESSION_FREE'
          : 'OK';
    return {
      chargeFen: q.fareFen,
      baseFen: q.baseFen,
      concession: q.concession,
      lines,
      fare: card.fare,
      reason,
    };
  };
}
