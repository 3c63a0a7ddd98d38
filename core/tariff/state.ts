// Per-card fare state: what the engine must remember between taps (docs/decisions/0110). It is
// part of the card state the store keeps, written under the same compare-and-set as the balance,
// so exactly-once covers it. Stored as compact JSON (short keys: a city has millions of cards).
import { localDay } from '../time.js';

/** One half of a journey waiting for the other: station, device time, what was charged. */
export interface PendingTap {
  /** Network id. */
  n: string;
  /** Station id. */
  s: string;
  /** Device time, Unix ms. */
  t: number;
  /** Fen charged for it (0 for an open entry; the maximum fare for unfinished ones). */
  c: number;
  /** Fen a concession waived on that maximum fare, given back with it (docs/decisions/0162); absent: 0. */
  w?: number;
}

/** The last leg of the journey in progress, for transfer rules. */
export interface LastLeg {
  /** Leg group id. */
  g: string;
  /** Departure and arrival (device time, Unix ms). */
  d: number;
  a: number;
  /** Transfers taken so far in this journey. */
  k: number;
  /** Fen the journey cost so far, after transfer rules, before discounts (GTFS 'ab' type). */
  p: number;
}

export interface FareState {
  /** Open entry: tapped in, no exit yet. */
  open?: PendingTap;
  /** Entry charged the maximum fare as unfinished; a late exit corrects it. */
  unf?: PendingTap;
  /** Exit with no entry, charged the maximum fare; a late entry corrects it. */
  ux?: PendingTap;
  last?: LastLeg;
  /** Accumulators by cap or spend-tier id: [period key, fen]. A new period starts from 0. */
  acc?: Record<string, [number, number]>;
}

export const emptyFareState: FareState = Object.freeze({}) as FareState;

export function encodeFareState(s: FareState): string {
  // The state a flat fare keeps (the card's own, unchanged, frozen): every tap of a bus city.
  if (s === emptyFareState) return '{}';
  return JSON.stringify(s);
}

/** Decodes what encodeFareState wrote; anything else is a corrupt store, reported with the card. */
export function decodeFareState(text: string | null | undefined, where: string): FareState {
  if (text === null || text === undefined || text === '' || text === '{}') return emptyFareState;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`fare state of ${where} is not JSON: ${text.slice(0, 80)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`fare state of ${where} is not an object: ${text.slice(0, 80)}`);
  return value as FareState;
}

export type Period = 'day' | 'week' | 'month';

/** Period key of a Unix-ms instant in China Standard Time: day number, ISO week number, yyyymm. */
export function periodKey(period: Period, ms: number): number {
  const day = localDay(ms);
  if (period === 'day') return day;
  // 1970-01-01 was a Thursday: +3 makes weeks run Monday to Sunday.
  if (period === 'week') return Math.floor((day + 3) / 7);
  return yearMonth(day);
}

/** yyyymm of a day number, by integer arithmetic (H. Hinnant's civil_from_days): no Date per tap. */
function yearMonth(day: number): number {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return (yoe + era * 400 + (month <= 2 ? 1 : 0)) * 100 + month;
}

/** ISO weekday (1 Monday … 7 Sunday) in China Standard Time. */
export function isoWeekday(ms: number): number {
  return ((localDay(ms) + 3) % 7) + 1;
}

/** The accumulator's value in the instant's period (0 when the stored one is of another period). */
export function accumulated(state: FareState, id: string, key: number): number {
  const entry = state.acc?.[id];
  return entry && entry[0] === key ? entry[1] : 0;
}
