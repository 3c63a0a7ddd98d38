// Importing feeds and pricing taps for the GTFS-Fares v2 tests.
import { expect } from 'vitest';
import { type CompiledTariff, compileTariff } from '../../../../core/tariff/compile.js';
import { priceTap, type TariffTap } from '../../../../core/tariff/engine.js';
import { importGtfsFares } from '../../../../core/tariff/gtfs/import.js';
import type { TariffDoc } from '../../../../core/tariff/model.js';

export interface Ok {
  tariff: TariffDoc;
  warnings: string[];
  notes: string[];
  t: CompiledTariff;
}

export function imported(files: Record<string, string>): Ok {
  const r = importGtfsFares(files, { id: 'test', name: 'test' });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return { ...r, t: compileTariff(r.tariff) };
}

export function errorsOf(files: Record<string, string>): string[] {
  const r = importGtfsFares(files, { id: 'bad', name: 'bad' });
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

export const tap = (
  direction: TariffTap['direction'],
  routeId: string,
  stopId: string,
  at: number,
): TariffTap => ({
  direction,
  operatorId: 'op',
  routeId,
  stopId,
  stationId: '',
  credential: 'card',
  at,
});

/** One ride: a board tap, or an entry and an exit `minutes` later. */
export function ride(
  t: CompiledTariff,
  routeId: string,
  from: string,
  to: string | undefined,
  at: number,
  minutes = 30,
) {
  if (to === undefined) return priceTap(t, 0, {}, tap('board', routeId, from, at));
  const entry = priceTap(t, 0, {}, tap('entry', routeId, from, at));
  return priceTap(t, 0, entry.state, tap('exit', routeId, to, at + minutes * 60_000));
}

/** Rides in a row on one card, each an entry and an exit: the charge of each exit. */
export function journey(
  t: CompiledTariff,
  legs: { route: string; from: string; to: string; at: number; minutes: number }[],
): number[] {
  let state = {};
  return legs.map((l) => {
    const entry = priceTap(t, 0, state, tap('entry', l.route, l.from, l.at));
    const exit = priceTap(t, 0, entry.state, tap('exit', l.route, l.to, l.at + l.minutes * 60_000));
    state = exit.state;
    return exit.chargeFen;
  });
}
