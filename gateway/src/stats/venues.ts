// Venue visit counters for the console's Venues page (docs/decisions/0135): what one counted
// passage adds to its venue's day. Pure; both stores apply the fields inside the same atomic
// step that moves occupancy (recordPassage), once per passage id, so the hourly figures never
// disagree with the occupancy and a redelivered visit adds nothing.
import type { EntitlementKind } from '../../../core/facts.js';

/** What a counted entry was admitted on: an entitlement kind, or nothing (free entry, library). */
export type EntryKind = EntitlementKind | 'none';
export const entryKinds: readonly EntryKind[] = ['annual_pass', 'reservation', 'ticket', 'none'];

export interface PassageCount {
  direction: 'entry' | 'exit';
  /** Local (UTC+8) hour of the day, 0-23. */
  hour: number;
  /** Entries only; ignored for exits. */
  kind: EntryKind;
}

export interface VenueDayCounts {
  /** 24 rows, local hours 0-23 in order, zeros included (a chart's x axis). */
  hours: Array<{ hour: number; entries: number; exits: number }>;
  /** Entries of the day per what admitted them (annual-pass use is entries.annual_pass). */
  entries: Record<EntryKind, number>;
}

/**
 * The counter fields one passage adds 1 to: he:<hour> entries or hx:<hour> exits of the hour,
 * and k:<kind> for an entry. Short, because Redis keeps them in the occupancy hash.
 */
export function passageFields(p: PassageCount): string[] {
  if (!Number.isInteger(p.hour) || p.hour < 0 || p.hour > 23) throw new RangeError(`hour ${p.hour}`);
  return p.direction === 'entry' ? [`he:${p.hour}`, `k:${p.kind}`] : [`hx:${p.hour}`];
}

/** The day's figures from the stored fields (fields it does not know are ignored). */
export function dayCounts(fields: ReadonlyMap<string, number>): VenueDayCounts {
  const n = (field: string) => fields.get(field) ?? 0;
  return {
    hours: Array.from({ length: 24 }, (_, hour) => ({
      hour,
      entries: n(`he:${hour}`),
      exits: n(`hx:${hour}`),
    })),
    entries: Object.fromEntries(entryKinds.map((k) => [k, n(`k:${k}`)])) as Record<EntryKind, number>,
  };
}
