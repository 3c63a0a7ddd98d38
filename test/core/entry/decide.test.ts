import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import { DEVICE_RIDES_FREE } from '../../../core/concession.js';
import { decideEntry, type Gate, type TapContext } from '../../../core/entry/decide.js';
import { type CardHistory, emptyHistory } from '../../../core/entry/history.js';
import { defaultRules, type EntryRules } from '../../../core/entry/rules.js';
import { type CardFacts, type Entitlement, noFacts } from '../../../core/facts.js';
import { type ProfileName, profiles } from '../../../core/profiles.js';
import { displayText } from '../../../core/reasons.js';
import { localDay } from '../../../core/time.js';

// 2026-11-23 10:00 in China (UTC+8): local minute 600.
const NOW = Date.parse('2026-11-23T02:00:00Z');
const TODAY = localDay(NOW);
const MIN = 60_000;
const VENUE = 'museum-1';

const ent = (e: Partial<Entitlement>): Entitlement => ({
  kind: 'ticket',
  venueId: VENUE,
  id: 'e1',
  fromDay: TODAY,
  toDay: TODAY,
  slotStartMin: 0,
  slotEndMin: 1440,
  maxEntries: 1,
  ...e,
});
const slot = (startH: number, endH: number) => ({ slotStartMin: startH * 60, slotEndMin: endH * 60 });

interface Case {
  profile: ProfileName;
  facts?: Partial<CardFacts>;
  history?: Partial<CardHistory>;
  rules?: Partial<EntryRules>;
  online?: boolean;
  decision: 'allow' | 'deny';
  reason: string;
  concession?: string;
  entitlementId?: string;
  /** What the tap sends as entitlement_to_day (0215). */
  entitlementToDay?: number;
}

function run(c: Case) {
  const gate: Gate = {
    profile: profiles[c.profile],
    rules: { ...defaultRules[c.profile], ...c.rules },
    venueId: VENUE,
    risk: { maxTapsPerCardPerHour: 3, maxUnconfirmedFen: 500, fareEstimateFen: 200 },
  };
  const tap: TapContext = {
    facts: { ...noFacts, ...c.facts },
    history: { ...emptyHistory, day: TODAY, hour: Math.floor(NOW / 3600_000), ...c.history },
    now: NOW,
    online: c.online ?? true,
  };
  return decideEntry(gate, tap);
}

const senior = { flags: ConcessionFlag.SENIOR };
const presented = (e: Entitlement): Partial<CardFacts> => ({ entitlements: [e], presented: e });
const table: Array<[string, Case]> = [
  // Every kind: the plain allow, and the deny list.
  ['bus: a fare is due', { profile: 'bus_validator', decision: 'allow', reason: 'OK' }],
  [
    'bus: a senior rides free',
    {
      profile: 'bus_validator',
      facts: senior,
      decision: 'allow',
      reason: 'CONCESSION_FREE',
      concession: 'senior_free',
    },
  ],
  [
    'bus: a student pays half',
    {
      profile: 'bus_validator',
      facts: { flags: ConcessionFlag.STUDENT },
      decision: 'allow',
      reason: 'OK',
      concession: 'student_half',
    },
  ],
  [
    'bus: a holder of a free concession the tariff defines rides free (flags list bit 16)',
    {
      profile: 'bus_validator',
      facts: { flags: DEVICE_RIDES_FREE | ConcessionFlag.STUDENT },
      decision: 'allow',
      reason: 'CONCESSION_FREE',
      concession: 'tariff_free',
    },
  ],
  [
    'bus: lost card',
    { profile: 'bus_validator', facts: { deny: 'lost' }, decision: 'deny', reason: 'CARD_LOST' },
  ],
  [
    'bus: negative balance',
    {
      profile: 'bus_validator',
      facts: { deny: 'negative_balance' },
      decision: 'deny',
      reason: 'BALANCE_NEGATIVE',
    },
  ],
  [
    'bus: a second tap at once is a companion (no passback by default)',
    { profile: 'bus_validator', history: { lastEntryMs: NOW - 10_000 }, decision: 'allow', reason: 'OK' },
  ],
  [
    'bus: passback when configured',
    {
      profile: 'bus_validator',
      rules: { antiPassbackMin: 1 },
      history: { lastEntryMs: NOW - 10_000 },
      decision: 'deny',
      reason: 'PASSBACK',
    },
  ],
  [
    'metro entry: entry recorded',
    { profile: 'metro_entry_gate', decision: 'allow', reason: 'ENTRY_RECORDED' },
  ],
  [
    'metro entry: frozen card',
    { profile: 'metro_entry_gate', facts: { deny: 'frozen' }, decision: 'deny', reason: 'CARD_FROZEN' },
  ],
  [
    'metro entry: same card within 20 min',
    {
      profile: 'metro_entry_gate',
      history: { lastEntryMs: NOW - 19 * MIN },
      decision: 'deny',
      reason: 'PASSBACK',
    },
  ],
  [
    'metro entry: window over',
    {
      profile: 'metro_entry_gate',
      history: { lastEntryMs: NOW - 20 * MIN },
      decision: 'allow',
      reason: 'ENTRY_RECORDED',
    },
  ],
  [
    'metro entry: re-entry after an exit',
    {
      profile: 'metro_entry_gate',
      history: { lastEntryMs: NOW - 5 * MIN, lastExitMs: NOW - 2 * MIN },
      decision: 'allow',
      reason: 'ENTRY_RECORDED',
    },
  ],
  [
    'metro entry: no re-entry after exit when the rule says so',
    {
      profile: 'metro_entry_gate',
      rules: { reentryAfterExit: false },
      history: { lastEntryMs: NOW - 5 * MIN, lastExitMs: NOW - 2 * MIN },
      decision: 'deny',
      reason: 'PASSBACK',
    },
  ],
  [
    'metro entry: clock went backwards counts as inside the window',
    {
      profile: 'metro_entry_gate',
      history: { lastEntryMs: NOW + 60 * MIN },
      decision: 'deny',
      reason: 'PASSBACK',
    },
  ],
  ['metro exit: fare due', { profile: 'metro_exit_gate', decision: 'allow', reason: 'OK' }],
  [
    'metro exit: exit twice within 2 min',
    { profile: 'metro_exit_gate', history: { lastExitMs: NOW - MIN }, decision: 'deny', reason: 'PASSBACK' },
  ],
  [
    'metro exit: without entry, flagged',
    {
      profile: 'metro_exit_gate',
      rules: { exitWithoutEntry: 'flag' },
      decision: 'allow',
      reason: 'EXIT_WITHOUT_ENTRY',
    },
  ],
  [
    'metro exit: without entry, refused',
    {
      profile: 'metro_exit_gate',
      rules: { exitWithoutEntry: 'deny' },
      decision: 'deny',
      reason: 'EXIT_WITHOUT_ENTRY',
    },
  ],
  [
    'metro exit: with an entry, checked',
    {
      profile: 'metro_exit_gate',
      rules: { exitWithoutEntry: 'deny' },
      history: { lastEntryMs: NOW - 30 * MIN },
      decision: 'allow',
      reason: 'OK',
    },
  ],
  ['id gate: identity only', { profile: 'station_id_gate', decision: 'allow', reason: 'IDENTITY_VERIFIED' }],
  [
    'id gate: a negative transit balance does not matter',
    {
      profile: 'station_id_gate',
      facts: { deny: 'negative_balance' },
      decision: 'allow',
      reason: 'IDENTITY_VERIFIED',
    },
  ],
  [
    'id gate: lost card',
    { profile: 'station_id_gate', facts: { deny: 'lost' }, decision: 'deny', reason: 'CARD_LOST' },
  ],
  ['library: reader card', { profile: 'library_gate', decision: 'allow', reason: 'READER_CARD_ACCEPTED' }],
  [
    'library: region not recognised',
    {
      profile: 'library_gate',
      facts: { regionRecognised: false },
      decision: 'deny',
      reason: 'REGION_NOT_RECOGNISED',
    },
  ],
  [
    'library: passback within a minute',
    { profile: 'library_gate', history: { lastEntryMs: NOW - 30_000 }, decision: 'deny', reason: 'PASSBACK' },
  ],
  [
    'library: entries per day when configured',
    {
      profile: 'library_gate',
      rules: { maxEntriesPerDay: 2 },
      history: { entriesToday: 2 },
      decision: 'deny',
      reason: 'DAILY_LIMIT_REACHED',
    },
  ],
  [
    "library: yesterday's count does not matter (rolled by currentHistory)",
    {
      profile: 'library_gate',
      rules: { maxEntriesPerDay: 2 },
      history: { entriesToday: 1 },
      decision: 'allow',
      reason: 'READER_CARD_ACCEPTED',
    },
  ],
  [
    'museum: reservation in its slot',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'reservation', id: 'r1', ...slot(9, 11) })] },
      decision: 'allow',
      reason: 'RESERVATION_ADMITTED',
      entitlementId: 'r1',
      entitlementToDay: TODAY,
    },
  ],
  [
    'museum: 15 min early is inside the tolerance',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'reservation', ...slot(10.25, 11) })] },
      decision: 'allow',
      reason: 'RESERVATION_ADMITTED',
    },
  ],
  [
    'museum: too early',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'reservation', ...slot(11, 12) })] },
      decision: 'deny',
      reason: 'SLOT_NOT_STARTED',
    },
  ],
  [
    'museum: slot over (beyond 30 min tolerance)',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'reservation', ...slot(8, 9.5) })] },
      decision: 'deny',
      reason: 'SLOT_ENDED',
    },
  ],
  [
    'museum: slot ended 20 min ago is inside the tolerance',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'reservation', ...slot(8, 9.67) })] },
      decision: 'allow',
      reason: 'RESERVATION_ADMITTED',
    },
  ],
  ['museum: no reservation', { profile: 'museum_gate', decision: 'deny', reason: 'NO_RESERVATION' }],
  [
    'museum: reservation for another venue',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'reservation', venueId: 'other' })] },
      decision: 'deny',
      reason: 'NO_RESERVATION',
    },
  ],
  [
    'museum: reservation for tomorrow',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'reservation', fromDay: TODAY + 1, toDay: TODAY + 1 })] },
      decision: 'deny',
      reason: 'NO_RESERVATION',
    },
  ],
  [
    'museum: a ticket is not a reservation',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'ticket' })] },
      decision: 'deny',
      reason: 'NO_RESERVATION',
    },
  ],
  [
    'museum: reservation already used here',
    {
      profile: 'museum_gate',
      facts: { entitlements: [ent({ kind: 'reservation', id: 'r1' })] },
      history: { used: [['r1', 1]] },
      decision: 'deny',
      reason: 'ENTITLEMENT_USED_UP',
    },
  ],
  [
    'museum: seniors still need a reservation',
    { profile: 'museum_gate', facts: senior, decision: 'deny', reason: 'NO_RESERVATION' },
  ],
  [
    'museum: later of two slots picked when the first is over',
    {
      profile: 'museum_gate',
      facts: {
        entitlements: [
          ent({ kind: 'reservation', id: 'r1', ...slot(7, 8) }),
          ent({ kind: 'reservation', id: 'r2', ...slot(10, 11) }),
        ],
      },
      decision: 'allow',
      reason: 'RESERVATION_ADMITTED',
      entitlementId: 'r2',
    },
  ],
  [
    'scenic: ticket',
    {
      profile: 'scenic_turnstile',
      facts: { entitlements: [ent({ id: 't1' })] },
      decision: 'allow',
      reason: 'TICKET_ADMITTED',
      entitlementId: 't1',
      entitlementToDay: TODAY,
    },
  ],
  [
    'scenic: a 30-day ticket on its 11th day sends its last day',
    {
      profile: 'scenic_turnstile',
      facts: { entitlements: [ent({ id: 't30', fromDay: TODAY - 10, toDay: TODAY + 19 })] },
      decision: 'allow',
      reason: 'TICKET_ADMITTED',
      entitlementId: 't30',
      entitlementToDay: TODAY + 19,
    },
  ],
  [
    'scenic: annual pass preferred over a ticket',
    {
      profile: 'scenic_turnstile',
      facts: {
        entitlements: [
          ent({ id: 't1' }),
          ent({ kind: 'annual_pass', id: 'p1', fromDay: TODAY - 100, toDay: TODAY + 200, maxEntries: 0 }),
        ],
      },
      decision: 'allow',
      reason: 'ANNUAL_PASS_ADMITTED',
      entitlementId: 'p1',
      // Unlimited entries, never counted: no day to send.
      entitlementToDay: 0,
    },
  ],
  [
    'scenic: expired annual pass',
    {
      profile: 'scenic_turnstile',
      facts: {
        entitlements: [ent({ kind: 'annual_pass', fromDay: TODAY - 366, toDay: TODAY - 1, maxEntries: 0 })],
      },
      decision: 'deny',
      reason: 'NO_TICKET',
    },
  ],
  [
    'scenic: senior enters free and keeps the ticket',
    {
      profile: 'scenic_turnstile',
      facts: { ...senior, entitlements: [ent({ id: 't1' })] },
      decision: 'allow',
      reason: 'CONCESSION_ENTRY',
      concession: 'senior_free',
      entitlementId: '',
    },
  ],
  [
    'scenic: disabled visitor enters free',
    {
      profile: 'scenic_turnstile',
      facts: { flags: ConcessionFlag.DISABLED },
      decision: 'allow',
      reason: 'CONCESSION_ENTRY',
      concession: 'disabled_free',
    },
  ],
  [
    'scenic: a student has no free entry',
    {
      profile: 'scenic_turnstile',
      facts: { flags: ConcessionFlag.STUDENT },
      decision: 'deny',
      reason: 'NO_TICKET',
    },
  ],
  [
    'scenic: ticket used',
    {
      profile: 'scenic_turnstile',
      facts: { entitlements: [ent({ id: 't1' })] },
      history: { used: [['t1', 1]] },
      rules: { maxEntriesPerDay: 0, antiPassbackMin: 0 },
      decision: 'deny',
      reason: 'ENTITLEMENT_USED_UP',
    },
  ],
  [
    'scenic: one entry a day on an annual pass',
    {
      profile: 'scenic_turnstile',
      facts: { entitlements: [ent({ kind: 'annual_pass', maxEntries: 0 })] },
      history: { entriesToday: 1 },
      decision: 'deny',
      reason: 'DAILY_LIMIT_REACHED',
    },
  ],
  [
    'scenic: ticket for a later slot',
    {
      profile: 'scenic_turnstile',
      facts: { entitlements: [ent(slot(13, 15))] },
      decision: 'deny',
      reason: 'SLOT_NOT_STARTED',
    },
  ],
  [
    'scenic: negative transit balance does not stop a ticket holder',
    {
      profile: 'scenic_turnstile',
      facts: { deny: 'negative_balance', entitlements: [ent({})] },
      decision: 'allow',
      reason: 'TICKET_ADMITTED',
    },
  ],
  // Offline risk.
  [
    'offline bus: within limits',
    {
      profile: 'bus_validator',
      online: false,
      history: { offlineTapsThisHour: 2, unconfirmedFen: 300 },
      decision: 'allow',
      reason: 'OK',
    },
  ],
  [
    'offline bus: taps per hour reached',
    {
      profile: 'bus_validator',
      online: false,
      history: { offlineTapsThisHour: 3 },
      decision: 'deny',
      reason: 'OFFLINE_TAP_LIMIT',
    },
  ],
  [
    'online bus: the offline limits do not apply',
    {
      profile: 'bus_validator',
      history: { offlineTapsThisHour: 3, unconfirmedFen: 500 },
      decision: 'allow',
      reason: 'OK',
    },
  ],
  [
    'offline bus: unconfirmed spending would pass the limit',
    {
      profile: 'bus_validator',
      online: false,
      history: { unconfirmedFen: 400 },
      decision: 'deny',
      reason: 'OFFLINE_SPEND_LIMIT',
    },
  ],
  [
    'offline bus: a senior spends nothing',
    {
      profile: 'bus_validator',
      online: false,
      facts: senior,
      history: { unconfirmedFen: 500 },
      decision: 'allow',
      reason: 'CONCESSION_FREE',
    },
  ],
  [
    'offline metro entry: spending counts at the exit',
    {
      profile: 'metro_entry_gate',
      online: false,
      history: { unconfirmedFen: 500 },
      decision: 'allow',
      reason: 'ENTRY_RECORDED',
    },
  ],
  [
    'offline library: taps per hour reached',
    {
      profile: 'library_gate',
      online: false,
      history: { offlineTapsThisHour: 3 },
      decision: 'deny',
      reason: 'OFFLINE_TAP_LIMIT',
    },
  ],
  [
    'offline: the deny list still comes first',
    {
      profile: 'bus_validator',
      online: false,
      facts: { deny: 'lost' },
      history: { offlineTapsThisHour: 3 },
      decision: 'deny',
      reason: 'CARD_LOST',
    },
  ],
  // A presented entitlement (a signed QR ticket or reservation, docs/decisions/0070).
  ...(
    ['bus_validator', 'metro_entry_gate', 'metro_exit_gate', 'station_id_gate', 'library_gate'] as const
  ).map((profile): [string, Case] => [
    `${profile}: a presented reservation is not accepted here`,
    {
      profile,
      facts: presented(ent({ kind: 'reservation' })),
      decision: 'deny',
      reason: 'QR_TICKET_NOT_ACCEPTED_HERE',
    },
  ]),
  [
    'museum: a presented ticket is not a reservation',
    {
      profile: 'museum_gate',
      facts: presented(ent({ kind: 'ticket' })),
      decision: 'deny',
      reason: 'QR_TICKET_NOT_ACCEPTED_HERE',
    },
  ],
  [
    'scenic: a presented reservation is not a ticket',
    {
      profile: 'scenic_turnstile',
      facts: presented(ent({ kind: 'reservation' })),
      decision: 'deny',
      reason: 'QR_TICKET_NOT_ACCEPTED_HERE',
    },
  ],
  [
    'museum: a presented reservation for another venue',
    {
      profile: 'museum_gate',
      facts: presented(ent({ kind: 'reservation', venueId: 'other' })),
      decision: 'deny',
      reason: 'QR_WRONG_VENUE',
    },
  ],
  [
    'museum: a presented reservation in its slot admits on itself',
    {
      profile: 'museum_gate',
      facts: presented(ent({ kind: 'reservation', id: 'qr1', ...slot(10, 11) })),
      decision: 'allow',
      reason: 'RESERVATION_ADMITTED',
      entitlementId: 'qr1',
    },
  ],
  [
    'museum: a presented reservation is judged with the slot tolerance like a listed one',
    {
      profile: 'museum_gate',
      facts: presented(ent({ kind: 'reservation', ...slot(10.5, 11) })),
      decision: 'deny',
      reason: 'SLOT_NOT_STARTED',
    },
  ],
  [
    'museum: a presented reservation for tomorrow',
    {
      profile: 'museum_gate',
      facts: presented(ent({ kind: 'reservation', fromDay: TODAY + 1, toDay: TODAY + 1 })),
      decision: 'deny',
      reason: 'NO_RESERVATION',
    },
  ],
  [
    "museum: a presented reservation admits on itself, not on the holder's other entitlements",
    {
      profile: 'museum_gate',
      facts: {
        ...presented(ent({ kind: 'reservation', id: 'qr1', ...slot(14, 15) })),
        entitlements: [ent({ kind: 'reservation', id: 'listed', ...slot(10, 11) })],
      },
      decision: 'deny',
      reason: 'SLOT_NOT_STARTED',
    },
  ],
  [
    'scenic: a presented ticket admits',
    {
      profile: 'scenic_turnstile',
      facts: presented(ent({ kind: 'ticket', id: 'qr2' })),
      decision: 'allow',
      reason: 'TICKET_ADMITTED',
      entitlementId: 'qr2',
    },
  ],
  [
    "scenic: a senior's presented ticket is kept, the entry is free",
    {
      profile: 'scenic_turnstile',
      facts: { ...presented(ent({ kind: 'ticket' })), ...senior },
      decision: 'allow',
      reason: 'CONCESSION_ENTRY',
      entitlementId: '',
    },
  ],
  [
    "museum: a presented reservation of a lost card's holder",
    {
      profile: 'museum_gate',
      facts: { ...presented(ent({ kind: 'reservation' })), deny: 'lost' },
      decision: 'deny',
      reason: 'CARD_LOST',
    },
  ],
];

describe('decideEntry: per device kind and per reason', () => {
  it.each(table)('%s', (_name, c) => {
    const d = run(c);
    expect({ decision: d.decision, reason: d.reason }).toEqual({ decision: c.decision, reason: c.reason });
    expect(d.display).toEqual(displayText[d.reason]);
    if (c.concession !== undefined) expect(d.concession).toBe(c.concession);
    if (c.entitlementId !== undefined) expect(d.entitlementId).toBe(c.entitlementId);
    if (c.entitlementToDay !== undefined) expect(d.entitlementToDay).toBe(c.entitlementToDay);
    if (d.decision === 'deny')
      expect(d).toMatchObject({ concession: 'none', entitlementId: '', entitlementToDay: 0, estimateFen: 0 });
  });

  it('covers every device kind', () => {
    expect(new Set(table.map(([, c]) => c.profile))).toEqual(new Set(Object.keys(profiles)));
  });

  it('counts the concession fare estimate only offline', () => {
    expect(
      run({
        profile: 'bus_validator',
        online: false,
        facts: { flags: ConcessionFlag.STUDENT },
        decision: 'allow',
        reason: 'OK',
      }).estimateFen,
    ).toBe(100);
    expect(run({ profile: 'bus_validator', online: true, decision: 'allow', reason: 'OK' }).estimateFen).toBe(
      0,
    );
  });
});
