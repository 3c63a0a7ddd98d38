// Wall-clock time of an instant in a tariff's timezone, for timeframes (GTFS timeframes.txt are
// local times of the feed's agency_timezone). Pure: the instant is passed in; Intl holds the
// zone rules (offsets and daylight saving), no clock is read.
import { localDay, localMinute } from '../time.js';

export interface LocalTime {
  /** Minutes after local midnight. */
  minute: number;
  /** ISO weekday, 1 Monday … 7 Sunday. */
  weekday: number;
  /** Local date, 'YYYY-MM-DD'. */
  date: string;
}

export type LocalClock = (ms: number) => LocalTime;

const DAY_MS = 86_400_000;
const weekdayOf = (day: number) => ((day + 3) % 7) + 1;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Throws RangeError for a zone name Intl does not know. */
export function localClock(timezone?: string): LocalClock {
  if (timezone === undefined || timezone === 'Asia/Shanghai')
    return (ms) => {
      const day = localDay(ms);
      return { minute: localMinute(ms), weekday: weekdayOf(day), date: dateOf(day) };
    };
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  let lastMs = Number.NaN;
  let last: LocalTime | undefined;
  return (ms) => {
    // Rule matching asks for one leg's time several times in a row.
    if (ms === lastMs && last) return last;
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const day = Math.floor(Date.UTC(p.year!, p.month! - 1, p.day!) / DAY_MS);
    lastMs = ms;
    last = { minute: (p.hour! % 24) * 60 + p.minute!, weekday: weekdayOf(day), date: dateOf(day) };
    return last;
  };
}
