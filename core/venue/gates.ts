// A venue's gates and their entry rules as data (core/entry/rules.ts): the venue file may
// override the profile defaults for all of its gates (a museum's slot tolerance, a park's
// entries per day) and, per gate, again (a re-entry gate, a staff gate). The gateway uses them (no-shows are counted after the late tolerance) and
// answers them as edge-agent configuration for the venue's gates.
import { checkRules, defaultRules, type EntryRules } from '../entry/rules.js';
import type { ProfileName } from '../profiles.js';
import type { Venue, VenueKind } from './model.js';

export const gateProfile: Readonly<Record<VenueKind, ProfileName>> = {
  library: 'library_gate',
  museum: 'museum_gate',
  scenic: 'scenic_turnstile',
};

const RULE_KEYS = Object.keys(defaultRules.museum_gate) as Array<keyof EntryRules>;

/**
 * The rules a gate of the venue runs: the profile defaults, the file's venue-wide overrides,
 * then the overrides for that gate (by device id) if the file has any.
 */
export function gateRules(venue: Pick<Venue, 'kind' | 'entryRules' | 'gates'>, gateId = ''): EntryRules {
  return { ...defaultRules[gateProfile[venue.kind]], ...venue.entryRules, ...venue.gates[gateId] };
}

/** The latest any gate of the venue still admits after a slot: no-shows are counted after it. */
export function lateToleranceMin(venue: Pick<Venue, 'kind' | 'entryRules' | 'gates'>): number {
  return Math.max(
    gateRules(venue).slotToleranceAfterMin,
    ...Object.keys(venue.gates).map((g) => gateRules(venue, g).slotToleranceAfterMin),
  );
}

/**
 * Problems with an overrides object (unknown keys, values out of range once merged over the
 * profile defaults and `base`), named from `where` (e.g. entryRules, gates.g1).
 */
export function checkEntryRules(
  kind: VenueKind,
  raw: unknown,
  where = 'entryRules',
  base: Partial<EntryRules> = {},
): { rules: Partial<EntryRules>; problems: string[] } {
  if (raw === undefined) return { rules: {}, problems: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { rules: {}, problems: [`${where} must be an object`] };
  const problems = Object.keys(raw)
    .filter((k) => !RULE_KEYS.includes(k as keyof EntryRules))
    .map((k) => `${where}.${k} is not an entry rule (${RULE_KEYS.join(', ')})`);
  const rules = raw as Partial<EntryRules>;
  if (problems.length === 0 && kind in gateProfile)
    problems.push(
      ...checkRules(gateRules({ kind, entryRules: { ...base, ...rules }, gates: {} })).map(
        (p) => `${where}.${p}`,
      ),
    );
  return { rules, problems };
}

/** A file's per-gate overrides: gate (device) id → overrides over the venue-wide ones. */
export function checkGates(
  kind: VenueKind,
  raw: unknown,
  base: Partial<EntryRules>,
): { gates: Record<string, Partial<EntryRules>>; problems: string[] } {
  if (raw === undefined) return { gates: {}, problems: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { gates: {}, problems: ['gates must be an object of gate id → entry rules'] };
  const gates: Record<string, Partial<EntryRules>> = {};
  const problems: string[] = [];
  for (const [id, value] of Object.entries(raw)) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) problems.push(`gates: '${id}' is not a device id`);
    const checked = checkEntryRules(kind, value, `gates.${id}`, base);
    problems.push(...checked.problems);
    gates[id] = checked.rules;
  }
  return { gates, problems };
}

/**
 * The venue's part of a gate's edge-agent configuration (edge-agent/src/config.ts keys), to
 * merge into the gate's config file when it is installed or the venue's rules change.
 */
export function gateConfig(venue: Venue, gateId = ''): Record<string, string> {
  const r = gateRules(venue, gateId);
  return {
    profile: gateProfile[venue.kind],
    venueId: venue.id,
    entryMaxPerDay: String(r.maxEntriesPerDay),
    entryAntiPassbackMin: String(r.antiPassbackMin),
    entryReentryAfterExit: String(r.reentryAfterExit),
    entrySlotToleranceBeforeMin: String(r.slotToleranceBeforeMin),
    entrySlotToleranceAfterMin: String(r.slotToleranceAfterMin),
    entryExitWithoutEntry: r.exitWithoutEntry,
  };
}
