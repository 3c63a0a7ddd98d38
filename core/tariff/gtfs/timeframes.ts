// timeframes.txt (with calendar.txt for service_id) and agency.txt's agency_timezone → the
// tariff's timeframes and timezone. GTFS times are local times of the agency's zone: the tariff
// carries the zone and the engine reads the tap's wall-clock time in it (../localtime.ts).
// calendar.txt becomes weekdays and a date range, calendar_dates.txt added and removed dates.
import type { Timeframe } from '../model.js';
import type { Table } from './csv.js';
import { at, type Report } from './report.js';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function minute(text: string, fallback: number): number | undefined {
  if (text === '') return fallback;
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

const isoDate = (gtfs: string) =>
  /^\d{8}$/.test(gtfs) ? `${gtfs.slice(0, 4)}-${gtfs.slice(4, 6)}-${gtfs.slice(6)}` : undefined;

function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Binds a timeframe to its service's dates: calendar.txt weekdays and range, calendar_dates.txt
 * added (1) and removed (2) dates. False (with errors) when the service is not to be found.
 */
function applyService(
  tf: Timeframe,
  service: string,
  calendar: Table | undefined,
  calendarDates: Table | undefined,
  r: Report,
  where: string,
): boolean {
  const cal = calendar?.rows.find((c) => c.get('service_id') === service);
  const exceptions = (calendarDates?.rows ?? []).filter((c) => c.get('service_id') === service);
  if (!cal && exceptions.length === 0) {
    r.error(
      where,
      `timeframe ${tf.id}: service_id ${service} is in neither calendar.txt nor calendar_dates.txt (include them in the folder)`,
    );
    return false;
  }
  let ok = true;
  if (cal) {
    const days = WEEKDAYS.map((d, i) => (cal.get(d) === '1' ? i + 1 : 0)).filter((d) => d > 0);
    const fromDate = isoDate(cal.get('start_date'));
    const toDate = isoDate(cal.get('end_date'));
    if (!fromDate || !toDate) {
      r.error(
        at(calendar!, cal.line),
        `service ${service} (timeframe ${tf.id}): start_date/end_date must be YYYYMMDD`,
      );
      ok = false;
    }
    if (days.length < 7) tf.days = days;
    if (fromDate) tf.fromDate = fromDate;
    if (toDate) tf.toDate = toDate;
  } else tf.days = []; // Only the dates calendar_dates.txt adds.
  for (const x of exceptions) {
    const date = isoDate(x.get('date'));
    const type = x.get('exception_type');
    if (!date || (type !== '1' && type !== '2')) {
      r.error(
        at(calendarDates!, x.line),
        `service ${service} (timeframe ${tf.id}): date must be YYYYMMDD and exception_type 1 or 2`,
      );
      ok = false;
      continue;
    }
    const key = type === '1' ? 'addDates' : 'removeDates';
    tf[key] = [...(tf[key] ?? []), date];
  }
  return ok;
}

export interface Timed {
  timeframes: Timeframe[];
  timezone: string | undefined;
}

export function importTimeframes(
  tables: { timeframes?: Table; calendar?: Table; calendarDates?: Table; agency?: Table },
  used: Set<string>,
  r: Report,
): Timed {
  const { timeframes: t, calendar, calendarDates, agency } = tables;
  const zones = [
    ...new Set((agency?.rows ?? []).map((a) => a.get('agency_timezone')).filter((z) => z !== '')),
  ];
  if (zones.length > 1)
    r.error('agency.txt', `agencies name different timezones (${zones.join(', ')}); GTFS requires one`);
  const timezone = zones[0];
  if (timezone && !knownZone(timezone))
    r.error('agency.txt', `agency_timezone '${timezone}' is not an IANA zone`);

  const out: Timeframe[] = [];
  let unused = 0;
  for (const row of t?.rows ?? []) {
    const where = at(t!, row.line);
    const id = row.get('timeframe_group_id');
    if (!used.has(id)) {
      unused++;
      continue;
    }
    const start = minute(row.get('start_time'), 0);
    const end = minute(row.get('end_time'), 1440);
    if ((row.get('start_time') === '') !== (row.get('end_time') === ''))
      r.error(where, `timeframe ${id}: start_time and end_time go together`);
    if (start === undefined || end === undefined || start >= 1440 || end > 1440 || start >= end) {
      r.error(
        where,
        `timeframe ${id}: start_time/end_time must be HH:MM:SS, start before end, at most 24:00:00`,
      );
      continue;
    }
    if (timezone === undefined && (row.get('start_time') !== '' || row.get('service_id') !== ''))
      r.error(
        where,
        `timeframe ${id}: its times are local times and the feed has no agency.txt agency_timezone`,
      );
    const tf: Timeframe = { id, startMin: start, endMin: end };
    const service = row.get('service_id');
    if (service && !applyService(tf, service, calendar, calendarDates, r, where)) continue;
    out.push(tf);
  }
  if (unused > 0) r.note('timeframes.txt', `${unused} row(s) of timeframes no leg rule uses: left out`);
  r.count(t, `${out.length} timeframe intervals`);
  return { timeframes: out, timezone };
}
