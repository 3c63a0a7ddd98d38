// Clocks for suites whose assertions are about a day (entries today, a daily sum, the slot
// running now): the suite's time is put inside one local (UTC+8) day, so a run that happens to
// cross a midnight, whatever the hour CI runs it, sees the same day throughout.
import { CST_OFFSET_MS, localDay } from '../../core/time.js';

const DAY_MS = 86_400_000;

/** Unix ms of a local (UTC+8) minute after midnight of a local day number (core/time.ts). */
export function localInstant(day: number, minute: number): number {
  return day * DAY_MS - CST_OFFSET_MS + minute * 60_000;
}

/**
 * A clock that reads startMs when made and runs on at the real rate (from performance.now, so
 * a shifted wall clock does not move it): timers and deadlines stay real, the day stays put.
 */
export function clockFrom(startMs: number): () => number {
  const t0 = performance.now();
  return () => startMs + Math.floor(performance.now() - t0);
}

/** Today's (local) date at the given local minute, running: a suite that lasts minutes stays in it. */
export function clockAtLocalMinute(minute: number, today = localDay(Date.now())): () => number {
  return clockFrom(localInstant(today, minute));
}
