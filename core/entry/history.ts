// What a device remembers about one card (its own passages only): the variables the entry
// rules and the offline risk limits are evaluated against. Pure: the edge agent keeps these in
// a bounded store (edge-agent/src/rules/) and passes one in per tap.
import type { DirectionName } from '../../protos/codec.js';
import { localDay } from '../time.js';

const HOUR_MS = 3600_000;
/** Most entitlements whose uses a card's history remembers (newest kept). */
export const MAX_USED_ENTITLEMENTS = 4;

export interface CardHistory {
  /** Last allowed entry or boarding at this device, Unix ms; 0 for none. */
  lastEntryMs: number;
  /** Last allowed exit at this device, Unix ms; 0 for none. */
  lastExitMs: number;
  /** Local (UTC+8) day that entriesToday counts. */
  day: number;
  entriesToday: number;
  /** Clock hour (Unix ms / 1 h) that offlineTapsThisHour counts. */
  hour: number;
  offlineTapsThisHour: number;
  /** Estimated spending of allowed offline taps the gateway has not acknowledged yet, fen. */
  unconfirmedFen: number;
  /** Journal seq of the newest tap in unconfirmedFen: all of it is confirmed once acked up to here. */
  unconfirmedUptoSeq: number;
  /** Entitlement uses at this device, newest first: [entitlement id, entries]. */
  used: ReadonlyArray<readonly [string, number]>;
}

export const emptyHistory: CardHistory = Object.freeze({
  lastEntryMs: 0,
  lastExitMs: 0,
  day: 0,
  entriesToday: 0,
  hour: 0,
  offlineTapsThisHour: 0,
  unconfirmedFen: 0,
  unconfirmedUptoSeq: 0,
  used: Object.freeze([]) as ReadonlyArray<readonly [string, number]>,
});

/** The history as it stands at `now`: a new day or hour resets its counter; acked spending is confirmed. */
export function currentHistory(h: CardHistory, now: number, lastAckedSeq: number): CardHistory {
  const day = localDay(now);
  const hour = Math.floor(now / HOUR_MS);
  const confirmed = h.unconfirmedUptoSeq > 0 && lastAckedSeq >= h.unconfirmedUptoSeq;
  if (day === h.day && hour === h.hour && !confirmed) return h;
  return {
    ...h,
    day,
    entriesToday: day === h.day ? h.entriesToday : 0,
    hour,
    offlineTapsThisHour: hour === h.hour ? h.offlineTapsThisHour : 0,
    unconfirmedFen: confirmed ? 0 : h.unconfirmedFen,
    unconfirmedUptoSeq: confirmed ? 0 : h.unconfirmedUptoSeq,
  };
}

export function usesOf(h: CardHistory, entitlementId: string): number {
  return h.used.find(([id]) => id === entitlementId)?.[1] ?? 0;
}

export interface Passage {
  direction: DirectionName;
  allowed: boolean;
  offline: boolean;
  seq: number;
  /** Estimated fare counted against the offline spending limit, fen. */
  estimateFen: number;
  /** '' when the passage used none. */
  entitlementId: string;
}

/**
 * The history after a decided tap at `now` (from currentHistory). A refused tap changes nothing:
 * the limits count passages, so a card refused offline is not locked out further by refusals.
 */
export function afterPassage(h: CardHistory, p: Passage, now: number): CardHistory {
  if (!p.allowed) return h;
  const offlineTapsThisHour = h.offlineTapsThisHour + (p.offline ? 1 : 0);
  const exit = p.direction === 'exit';
  const used =
    p.entitlementId === ''
      ? h.used
      : [
          [p.entitlementId, usesOf(h, p.entitlementId) + 1] as const,
          ...h.used.filter(([id]) => id !== p.entitlementId),
        ].slice(0, MAX_USED_ENTITLEMENTS);
  const spends = p.offline && p.estimateFen > 0;
  return {
    ...h,
    lastEntryMs: exit ? h.lastEntryMs : now,
    lastExitMs: exit ? now : h.lastExitMs,
    // A device has one direction, so "entries" counts its passages (boardings, entries or exits).
    entriesToday: h.entriesToday + 1,
    offlineTapsThisHour,
    unconfirmedFen: h.unconfirmedFen + (spends ? p.estimateFen : 0),
    unconfirmedUptoSeq: spends ? p.seq : h.unconfirmedUptoSeq,
    used,
  };
}
