// Local calendar time in China Standard Time, the zone every day number and time slot in core
// code is counted in. Pure: instants are passed in; no clock is read here.

/** China Standard Time: UTC+8 all year (no daylight saving). */
export const CST_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** Local (UTC+8) day number of a Unix-ms instant: days since 1970-01-01 in CST. */
export function localDay(ms: number): number {
  return Math.floor((ms + CST_OFFSET_MS) / DAY_MS);
}

/** Minutes after local (UTC+8) midnight of a Unix-ms instant. */
export function localMinute(ms: number): number {
  return Math.floor(((((ms + CST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / 60000);
}
