// A card's uses of its entitlements (tickets, reservations: the entry rules' single-use checks),
// kept in the card's hot state and written under the card's compare-and-set together with the
// visit that used them (docs/decisions/0203), so the tap path never reads records to count them.
// Pure: times are passed in.
import { localDay } from './time.js';

/**
 * One entitlement's count: [entitlement id, allowed visits committed on it, last local day (CST,
 * core/time.ts) the count is kept]. A tuple, not an object keyed by id: ids come from devices.
 */
export type EntitlementUse = readonly [id: string, entries: number, untilDay: number];

/**
 * Days a count is kept after the day of its last use when the tap does not say when its
 * entitlement ends (entitlement_to_day 0: firmware from before 0215): the longest validity of
 * the single-use entitlements the gateway counted then, the same bound the record lookback had.
 */
export const USE_KEEP_DAYS = 8;

/**
 * Most days a counted entitlement's last valid day may lie after the tap's day
 * (docs/decisions/0215). The single-use products are one-day museum reservations and scenic
 * tickets valid at most this many days (core/venue/validate.ts): a ticket tapped on its first
 * day ends at most 30 days later, so 31 leaves a day to spare, as the day before the tap's does
 * on the other side. Annual passes have unlimited entries and are never counted.
 */
export const MAX_ENTITLEMENT_DAYS = 31;

/**
 * Days a count is kept after its last valid day, for a tap a gate journaled offline on a valid
 * day and uploads late: it must still find the uses counted before it. A week covers a gate off
 * the network over a long weekend and a repair; a tap later than that is still charged and
 * recorded once (the dedupe window, 0196), only not checked for reuse. Counting is unchanged:
 * a count applies to taps on or before its last valid day only (usesOf).
 */
export const LATE_UPLOAD_DAYS = 7;

/** Most counts a card keeps (newest first): a bound on the card's state whatever devices send. */
export const MAX_KEPT_USES = 32;

export const noUses: readonly EntitlementUse[] = Object.freeze([]);

/** Committed uses of `id` that still count for a tap at `at` (Unix ms). */
export function usesOf(uses: readonly EntitlementUse[], id: string, at: number): number {
  const day = localDay(at);
  for (const [uid, entries, until] of uses) if (uid === id) return until >= day ? entries : 0;
  return 0;
}

/**
 * The counts after one more use of `id` at `at`, newest first: the used one moves to the front
 * and is kept until its entitlement's last valid day `toDay` (core/time.ts local day; never
 * before the tap's own day), or USE_KEEP_DAYS after the tap's day when the tap did not say
 * (`toDay` 0), and never shorter than it already was; counts whose last day is more than
 * LATE_UPLOAD_DAYS before both the tap's day and today (`now`) are dropped, and at most
 * MAX_KEPT_USES are kept.
 */
export function withUse(
  uses: readonly EntitlementUse[],
  id: string,
  at: number,
  now: number,
  toDay = 0,
): EntitlementUse[] {
  const day = localDay(at);
  const oldest = Math.min(day, localDay(now)) - LATE_UPLOAD_DAYS;
  const prior = uses.find(([uid]) => uid === id);
  const entries = (prior && prior[2] >= day ? prior[1] : 0) + 1;
  const last = toDay > 0 ? Math.max(day, toDay) : day + USE_KEEP_DAYS;
  const until = Math.max(last, prior?.[2] ?? 0);
  const kept = uses.filter(([uid, , u]) => uid !== id && u >= oldest);
  return [[id, entries, until] as const, ...kept].slice(0, MAX_KEPT_USES);
}

/** As the stores keep it: compact JSON; '' (or NULL) for a card whose counts were never derived. */
export function encodeUses(uses: readonly EntitlementUse[]): string {
  return JSON.stringify(uses);
}

/** undefined for a card written before 0203 (no counts yet: derived from its records once). */
export function decodeUses(text: string | null | undefined, where: string): EntitlementUse[] | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  const parsed: unknown = JSON.parse(text);
  if (
    !Array.isArray(parsed) ||
    !parsed.every(
      (u) =>
        Array.isArray(u) &&
        u.length === 3 &&
        typeof u[0] === 'string' &&
        Number.isInteger(u[1]) &&
        Number.isInteger(u[2]),
    )
  )
    throw new Error(`${where}: entitlement uses are not [id, entries, day] triples`);
  return parsed as EntitlementUse[];
}
