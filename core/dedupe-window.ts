// The dedupe window (docs/decisions/0196): a tap's exactly-once key (its dedupe key and its
// claim) is kept for the days of the window only, in buckets by the UTC day of the tap's own
// time, so the hot store stays bounded. A tap older than the window cannot be matched against
// its key any more; the per-(device, epoch) high-water mark tells whether its seq came before.
// Pure: instants are passed in.

export const DAY_MS = 24 * 3600 * 1000;

/** Default window: a device offline longer than this sends taps the gateway no longer matches. */
export const DEFAULT_DEDUPE_WINDOW_DAYS = 30;

/** The bucket of an instant: its UTC day number (days since 1970-01-01). */
export function dedupeDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * Whether a tap made at `atMs` is older than the window at `nowMs`: its day is more than
 * `days` days before today. Such a tap is never committed: its key may be gone.
 */
export function beyondWindow(atMs: number, nowMs: number, days: number): boolean {
  return dedupeDay(atMs) < dedupeDay(nowMs) - days;
}

/**
 * The first day whose buckets are kept at `nowMs`: one day more than the window, so a bucket
 * outlives every resend the window still admits (a device clock up to a day ahead included).
 */
export function firstKeptDay(nowMs: number, days: number): number {
  return dedupeDay(nowMs) - days - 1;
}

/** Seconds a bucket lives after its last write in a store with expiring keys (Redis). */
export function bucketTtlSeconds(days: number): number {
  return (days + 2) * 24 * 3600;
}

/** A tap's dedupe key goes to a day bucket; any other effect's key (top-up, sweep, purchase) is kept. */
export function isTapKey(dedupeKey: string): boolean {
  return dedupeKey.startsWith('tap:');
}

/** A window of whole days, at least one (a day bucket must outlive the day's resends). */
export function checkWindowDays(days: number): number {
  if (!Number.isInteger(days) || days < 1)
    throw new RangeError(`the dedupe window is whole days ≥ 1, got ${days}`);
  return days;
}
