// The e-card QR code is just another credential: at every device kind, a holder's dynamic code
// and their physical card get the same decision and reason, passage after passage, because
// both go through the same entry rules with the same facts and the same history
// (docs/decisions/0070-qr-through-entry-rules.md). A signed ticket is judged by those rules too:
// refused where the device kind does not admit on it, spent once.
import { describe, expect, it } from 'vitest';
import { ConcessionFlag } from '../../../core/card.js';
import type { Entitlement } from '../../../core/facts.js';
import { cardTokenHex } from '../../../core/pii.js';
import { type ProfileName, profiles } from '../../../core/profiles.js';
import { localDay } from '../../../core/time.js';
import type { EdgeConfig } from '../../../edge-agent/src/config.js';
import { app, NOW, ticket } from '../../core/credentials/fixtures.js';
import { TOKEN_KEY_HEX } from '../support.js';
import { device, type Listed } from './support.js';

const MIN = 60_000;
const TODAY = localDay(NOW); // NOW is 10:30 in China
const CARD = 'QRRULES001';
const HOLDER = cardTokenHex(Buffer.from(TOKEN_KEY_HEX, 'hex'), CARD);

const at: Record<ProfileName, Partial<EdgeConfig>> = {
  bus_validator: { profile: 'bus_validator', routeId: 'r12', venueId: '' },
  metro_entry_gate: { profile: 'metro_entry_gate', stationId: 'st-1', venueId: '' },
  metro_exit_gate: { profile: 'metro_exit_gate', stationId: 'st-2', venueId: '' },
  station_id_gate: { profile: 'station_id_gate', stationId: 'coach-1', venueId: '' },
  library_gate: { profile: 'library_gate', venueId: 'lib-1' },
  museum_gate: { profile: 'museum_gate', venueId: 'museum-1' },
  scenic_turnstile: { profile: 'scenic_turnstile', venueId: 'park-1' },
};

const listed = (e: Partial<Entitlement>): Entitlement => ({
  kind: 'reservation',
  venueId: 'museum-1',
  id: 'listed-1',
  fromDay: TODAY,
  toDay: TODAY,
  slotStartMin: 10 * 60,
  slotEndMin: 11 * 60,
  maxEntries: 1,
  ...e,
});

interface Scenario {
  profile: ProfileName;
  config?: Partial<EdgeConfig>;
  /** What the lists say about the holder (the credential carries the same flags). */
  holder?: Listed;
  regions?: string[];
  online?: boolean;
  /** Passages, minutes after NOW, and what each must get: [decision, reason]. */
  passages: Array<[number, 'allow' | 'deny', string]>;
}

const table: Array<[string, Scenario]> = [
  [
    'bus: a fare is due, no passback',
    {
      profile: 'bus_validator',
      passages: [
        [0, 'allow', 'OK'],
        [1, 'allow', 'OK'],
      ],
    },
  ],
  [
    'bus: a senior rides free',
    {
      profile: 'bus_validator',
      holder: { flags: ConcessionFlag.SENIOR },
      passages: [[0, 'allow', 'CONCESSION_FREE']],
    },
  ],
  [
    'bus: a lost card',
    { profile: 'bus_validator', holder: { deny: 'lost' }, passages: [[0, 'deny', 'CARD_LOST']] },
  ],
  [
    'bus: an issuing region not recognised here',
    { profile: 'bus_validator', regions: ['110000'], passages: [[0, 'deny', 'REGION_NOT_RECOGNISED']] },
  ],
  [
    'bus offline: the taps-per-hour limit',
    {
      profile: 'bus_validator',
      config: { offlineMaxTapsPerCardPerHour: 2 },
      passages: [
        [0, 'allow', 'OK'],
        [1, 'allow', 'OK'],
        [2, 'deny', 'OFFLINE_TAP_LIMIT'],
      ],
    },
  ],
  [
    'bus offline: the unconfirmed spending limit',
    {
      profile: 'bus_validator',
      config: { offlineMaxUnconfirmedFen: 300, offlineFareEstimateFen: 200 },
      passages: [
        [0, 'allow', 'OK'],
        [1, 'deny', 'OFFLINE_SPEND_LIMIT'],
      ],
    },
  ],
  [
    'bus online: no offline limit applies',
    {
      profile: 'bus_validator',
      online: true,
      config: { offlineMaxTapsPerCardPerHour: 1 },
      passages: [
        [0, 'allow', 'OK'],
        [1, 'allow', 'OK'],
      ],
    },
  ],
  [
    'metro entry: anti-passback within the window, not after it',
    {
      profile: 'metro_entry_gate',
      passages: [
        [0, 'allow', 'ENTRY_RECORDED'],
        [5, 'deny', 'PASSBACK'],
        [25, 'allow', 'ENTRY_RECORDED'],
      ],
    },
  ],
  [
    'metro exit: exit without entry refused',
    {
      profile: 'metro_exit_gate',
      config: { entryExitWithoutEntry: 'deny' },
      passages: [[0, 'deny', 'EXIT_WITHOUT_ENTRY']],
    },
  ],
  [
    'metro exit: exit without entry flagged',
    {
      profile: 'metro_exit_gate',
      config: { entryExitWithoutEntry: 'flag' },
      passages: [[0, 'allow', 'EXIT_WITHOUT_ENTRY']],
    },
  ],
  [
    'station ID gate: entries per day',
    {
      profile: 'station_id_gate',
      config: { entryMaxPerDay: '2' },
      passages: [
        [0, 'allow', 'IDENTITY_VERIFIED'],
        [10, 'allow', 'IDENTITY_VERIFIED'],
        [20, 'deny', 'DAILY_LIMIT_REACHED'],
      ],
    },
  ],
  [
    'library: the reader card, anti-passback for a minute',
    {
      profile: 'library_gate',
      passages: [
        [0, 'allow', 'READER_CARD_ACCEPTED'],
        [0.5, 'deny', 'PASSBACK'],
        [2, 'allow', 'READER_CARD_ACCEPTED'],
      ],
    },
  ],
  [
    'museum: a reservation is required',
    { profile: 'museum_gate', passages: [[0, 'deny', 'NO_RESERVATION']] },
  ],
  [
    'museum: a reservation for the current slot admits once',
    {
      profile: 'museum_gate',
      holder: { entitlements: [listed({})] },
      passages: [
        [0, 'allow', 'RESERVATION_ADMITTED'],
        [10, 'deny', 'ENTITLEMENT_USED_UP'],
      ],
    },
  ],
  [
    'museum: too early for the slot, then inside its tolerance',
    {
      profile: 'museum_gate',
      holder: { entitlements: [listed({ slotStartMin: 11 * 60, slotEndMin: 12 * 60 })] },
      passages: [
        [0, 'deny', 'SLOT_NOT_STARTED'],
        [20, 'allow', 'RESERVATION_ADMITTED'],
      ],
    },
  ],
  [
    'scenic: an annual pass, one entry a day',
    {
      profile: 'scenic_turnstile',
      holder: {
        entitlements: [listed({ kind: 'annual_pass', venueId: 'park-1', toDay: TODAY + 300, maxEntries: 0 })],
      },
      passages: [
        [0, 'allow', 'ANNUAL_PASS_ADMITTED'],
        [40, 'deny', 'DAILY_LIMIT_REACHED'],
      ],
    },
  ],
  [
    'scenic: a ticket',
    {
      profile: 'scenic_turnstile',
      holder: {
        entitlements: [listed({ kind: 'ticket', venueId: 'park-1', slotStartMin: 0, slotEndMin: 1440 })],
      },
      passages: [[0, 'allow', 'TICKET_ADMITTED']],
    },
  ],
  ['scenic: nothing for today', { profile: 'scenic_turnstile', passages: [[0, 'deny', 'NO_TICKET']] }],
  [
    'scenic: a senior enters free',
    {
      profile: 'scenic_turnstile',
      holder: { flags: ConcessionFlag.SENIOR },
      passages: [[0, 'allow', 'CONCESSION_ENTRY']],
    },
  ],
];

/** The journal lines of the scenario's passages, made with the card or with fresh QR codes. */
function run(s: Scenario, credential: 'card' | 'qr') {
  const clock = { now: NOW };
  const d = device(
    { ...at[s.profile], ...s.config },
    {
      holders: { [HOLDER]: s.holder ?? {} },
      ...(s.regions ? { regions: s.regions } : {}),
      online: s.online ?? false,
      clock,
    },
  );
  const phone = app({ cardToken: Buffer.from(HOLDER, 'hex'), flags: s.holder?.flags ?? 0, region: 500228 });
  for (const [minutes] of s.passages) {
    clock.now = NOW + minutes * MIN;
    if (credential === 'card') d.tap(CARD, '500228');
    else d.scan(phone.code(clock.now));
  }
  d.close();
  return d.journal.range(1, s.passages.length);
}

describe('a dynamic QR code and the physical card of one holder: the same decision everywhere', () => {
  it.each(table)('%s', (_, s) => {
    const card = run(s, 'card');
    const qr = run(s, 'qr');
    const outcome = (e: (typeof card)[number]) => [e.decision, e.reason, e.concession, e.entitlementId ?? ''];
    expect(card.map(outcome)).toEqual(qr.map(outcome));
    expect(qr.map((e) => [e.decision, e.reason])).toEqual(
      s.passages.map(([, decision, reason]) => [decision, reason]),
    );
    expect(card.map((e) => e.credential)).toEqual(s.passages.map(() => 'card'));
    expect(qr.map((e) => [e.credential, e.cardToken, e.issuingRegion])).toEqual(
      s.passages.map(() => ['qr', HOLDER, '500228']),
    );
  });

  it('covers every device kind', () => {
    expect(new Set(table.map(([, s]) => s.profile))).toEqual(new Set(Object.keys(profiles)));
  });

  it("the code and the card share the holder's history: a tap right after a scan is a passback", () => {
    const clock = { now: NOW };
    const d = device(at.metro_entry_gate, { clock });
    d.scan(app({ cardToken: Buffer.from(HOLDER, 'hex') }).code(NOW));
    clock.now += MIN;
    d.tap(CARD);
    expect(d.journal.range(1, 2).map((e) => [e.credential, e.reason])).toEqual([
      ['qr', 'ENTRY_RECORDED'],
      ['card', 'PASSBACK'],
    ]);
  });
});

describe('signed tickets and reservations through the entry rules', () => {
  const bound = { holderToken: Buffer.from(HOLDER, 'hex') };

  it.each([
    ['bus_validator', 'ticket'],
    ['metro_entry_gate', 'ticket'],
    ['metro_exit_gate', 'reservation'],
    ['station_id_gate', 'reservation'],
    ['library_gate', 'reservation'],
    ['museum_gate', 'ticket'],
    ['scenic_turnstile', 'reservation'],
  ] as const)('a %s does not accept a QR %s', (profile, kind) => {
    const d = device(at[profile]);
    const venueId = at[profile].venueId || 'museum-1';
    expect(d.scan(ticket({ ...bound, kind, venueId, slotStartMin: 0, slotEndMin: 1440 }))).toMatchObject({
      decision: 'deny',
      display: { en: 'This ticket is not accepted here' },
    });
    expect(d.journal.range(1, 1)[0]).toMatchObject({
      credential: 'qr',
      cardToken: HOLDER,
      reason: 'QR_TICKET_NOT_ACCEPTED_HERE',
    });
  });

  it('a reservation for another museum is refused as such', () => {
    const d = device(at.museum_gate);
    d.scan(ticket({ ...bound, venueId: 'museum-2' }));
    expect(d.journal.range(1, 1)[0]?.reason).toBe('QR_WRONG_VENUE');
  });

  it('a reservation is single-use: spent by the admission, refused after, inside or beyond the passback window', () => {
    const clock = { now: NOW };
    const d = device(at.museum_gate, { clock });
    const t = ticket(bound);
    d.scan(t);
    clock.now += MIN;
    d.scan(t);
    clock.now += 60 * MIN;
    d.scan(t);
    const journal = d.journal.range(1, 3);
    expect(journal.map((e) => [e.decision, e.reason])).toEqual([
      ['allow', 'RESERVATION_ADMITTED'],
      ['deny', 'QR_TICKET_USED'],
      ['deny', 'QR_TICKET_USED'],
    ]);
    expect(journal[0]?.entitlementId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a reservation refused before its slot is not spent: it admits once the slot opens (with the tolerance)', () => {
    const clock = { now: NOW };
    const d = device(at.museum_gate, { clock });
    const t = ticket({ ...bound, slotStartMin: 11 * 60, slotEndMin: 12 * 60 });
    d.scan(t);
    clock.now += 16 * MIN; // 10:46, inside the 15 minutes before 11:00
    d.scan(t);
    expect(d.journal.range(1, 2).map((e) => e.reason)).toEqual(['SLOT_NOT_STARTED', 'RESERVATION_ADMITTED']);
  });

  it('a reservation for another day gets the same refusal as the card would', () => {
    const d = device(at.museum_gate);
    d.scan(ticket({ ...bound, day: TODAY + 1 }));
    expect(d.journal.range(1, 1)[0]?.reason).toBe('NO_RESERVATION');
  });

  it('a ticket of a lost card is refused: the deny list has the last word', () => {
    const d = device(at.museum_gate, { holders: { [HOLDER]: { deny: 'lost' } } });
    d.scan(ticket(bound));
    expect(d.journal.range(1, 1)[0]?.reason).toBe('CARD_LOST');
  });

  it('tickets bound to no card do not share a passback window', () => {
    const d = device(at.scenic_turnstile);
    const unbound = { holderToken: Buffer.alloc(16), kind: 'ticket', venueId: 'park-1' } as const;
    d.scan(ticket(unbound));
    d.scan(ticket(unbound));
    expect(d.journal.range(1, 2).map((e) => [e.reason, e.cardToken])).toEqual([
      ['TICKET_ADMITTED', '0'.repeat(32)],
      ['TICKET_ADMITTED', '0'.repeat(32)],
    ]);
  });
});
