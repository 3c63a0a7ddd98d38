// Runs journeys through the tariff engine the way the gateway does: one tap after another, each
// from the fare state the previous one left. Every result is checked to explain every fen.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { type CompiledTariff, compileTariff } from '../../../core/tariff/compile.js';
import { type Priced, priceTap, type TariffTap } from '../../../core/tariff/engine.js';
import { sumLines } from '../../../core/tariff/lines.js';
import type { TariffDoc } from '../../../core/tariff/model.js';
import type { FareState } from '../../../core/tariff/state.js';
import { validateTariff } from '../../../core/tariff/validate.js';

export function beijingDoc(): TariffDoc {
  const json: unknown = JSON.parse(
    readFileSync(new URL('../../../gateway/tariffs/beijing/tariff.json', import.meta.url), 'utf8'),
  );
  const v = validateTariff(json);
  if (!v.ok) throw new Error(v.errors.join('\n'));
  return v.tariff;
}

export function compile(doc: TariffDoc): CompiledTariff {
  const v = validateTariff(doc);
  if (!v.ok) throw new Error(v.errors.join('\n'));
  return compileTariff(v.tariff);
}

/** 2025-06-02 (a Monday) 00:00 in Beijing, Unix ms. */
export const MON = Date.UTC(2025, 5, 1, 16, 0);
export const MIN = 60_000;
export const DAY = 24 * 60 * MIN;

export type Step = Partial<TariffTap> & { direction: TariffTap['direction']; at: number };

export const metroIn = (station: string, at: number): Step => ({
  direction: 'entry',
  operatorId: 'bj-metro',
  stationId: `bj-${station}`,
  at,
});
export const metroOut = (station: string, at: number): Step => ({
  direction: 'exit',
  operatorId: 'bj-metro',
  stationId: `bj-${station}`,
  at,
});
/** A single-fare bus (一票制). */
export const bus = (at: number, routeId = 'bus-52'): Step => ({
  direction: 'board',
  operatorId: 'bj-bus',
  routeId,
  stopId: 'stop-x',
  at,
});
/** Route 1 with distance fares: tap in and out. */
export const bus1 = (direction: 'entry' | 'exit', stop: string, at: number): Step => ({
  direction,
  operatorId: 'bj-bus',
  routeId: 'bus-1',
  stopId: `bus1-${stop}`,
  at,
});

export interface Run {
  results: Priced[];
  state: FareState;
}

export function run(t: CompiledTariff, steps: Step[], flags = 0, start: FareState = {}): Run {
  let state = start;
  const results = steps.map((s) => {
    const tap: TariffTap = {
      operatorId: '',
      routeId: '',
      stopId: '',
      stationId: '',
      credential: 'card',
      ...s,
    };
    const p = priceTap(t, flags, state, tap);
    // The team's rule: a record explains every fen.
    expect(sumLines(p.lines)).toBe(p.chargeFen);
    for (const l of p.lines) expect(Number.isInteger(l.fen)).toBe(true);
    state = p.state;
    return p;
  });
  return { results, state };
}

export const charges = (r: Run) => r.results.map((p) => p.chargeFen);
export const lineKinds = (p: Priced) => p.lines.map((l) => `${l.kind} ${l.fen}`);
