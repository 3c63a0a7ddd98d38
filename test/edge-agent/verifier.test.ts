import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../core/entry/rules.js';
import { type CardFacts, type Entitlement, noFacts } from '../../core/facts.js';
import { cardTokenHex } from '../../core/pii.js';
import { type ProfileName, profiles } from '../../core/profiles.js';
import { localDay } from '../../core/time.js';
import { MemoryJournal } from '../../edge-agent/src/journal/memory.js';
import { EntryEngine } from '../../edge-agent/src/rules/engine.js';
import { MemoryHistory } from '../../edge-agent/src/rules/history.js';
import { type DecisionEvent, Verifier } from '../../edge-agent/src/verifier.js';
import { type DenyReasonName, toWireTap } from '../../protos/codec.js';
import { TOKEN_KEY_HEX } from './support.js';

const KEY = Buffer.from(TOKEN_KEY_HEX, 'hex');
const CARD = 'A12345678';
const NOW = Date.UTC(2026, 10, 23, 8, 0, 0);
const locations: Record<
  ProfileName,
  { routeId: string; stopId: string; stationId: string; venueId: string }
> = {
  bus_validator: { routeId: 'r12', stopId: 's3', stationId: '', venueId: '' },
  metro_entry_gate: { routeId: 'L2', stopId: '', stationId: 'st-7', venueId: '' },
  metro_exit_gate: { routeId: 'L2', stopId: '', stationId: 'st-9', venueId: '' },
  station_id_gate: { routeId: '', stopId: '', stationId: 'coach-1', venueId: '' },
  library_gate: { routeId: '', stopId: '', stationId: '', venueId: 'lib-1' },
  museum_gate: { routeId: '', stopId: '', stationId: '', venueId: 'mus-1' },
  scenic_turnstile: { routeId: '', stopId: '', stationId: '', venueId: 'park-1' },
};

function verifierFor(
  profile: ProfileName,
  denied: DenyReasonName | undefined,
  online = true,
  known: Partial<CardFacts> = {},
) {
  const journal = new MemoryJournal();
  const rules = new EntryEngine({
    gate: {
      profile: profiles[profile],
      rules: defaultRules[profile],
      venueId: locations[profile].venueId,
      risk: { maxTapsPerCardPerHour: 2, maxUnconfirmedFen: 0, fareEstimateFen: 200 },
    },
    history: new MemoryHistory(100),
    lastAckedSeq: () => journal.lastAckedSeq(),
  });
  const events: DecisionEvent[] = [];
  const order: string[] = [];
  const seen: Array<{ token: string; region: string }> = [];
  const verifier = new Verifier({
    profile: profiles[profile],
    location: locations[profile],
    tokenKey: KEY,
    facts: (t: Uint8Array, region: string) => {
      seen.push({ token: Buffer.from(t).toString('hex'), region });
      return Buffer.from(t).toString('hex') === cardTokenHex(KEY, CARD)
        ? { ...noFacts, ...known, deny: denied }
        : noFacts;
    },
    rules,
    journal,
    isOnline: () => online,
    now: () => NOW,
    onDecision: (e) => {
      order.push(`signal after journal depth ${journal.depth()}`);
      events.push(e);
    },
  });
  return { journal, events, verifier, order, seen };
}

describe('verifier: one tap on the device', () => {
  const table: Array<[ProfileName, DenyReasonName | undefined, 'allow' | 'deny', string, string]> = [
    ['bus_validator', undefined, 'allow', 'OK', 'board'],
    ['bus_validator', 'lost', 'deny', 'CARD_LOST', 'board'],
    ['bus_validator', 'negative_balance', 'deny', 'BALANCE_NEGATIVE', 'board'],
    ['metro_entry_gate', undefined, 'allow', 'ENTRY_RECORDED', 'entry'],
    ['metro_entry_gate', 'frozen', 'deny', 'CARD_FROZEN', 'entry'],
    ['metro_exit_gate', undefined, 'allow', 'OK', 'exit'],
    ['metro_exit_gate', 'lost', 'deny', 'CARD_LOST', 'exit'],
    ['station_id_gate', undefined, 'allow', 'IDENTITY_VERIFIED', 'entry'],
    ['station_id_gate', 'negative_balance', 'allow', 'IDENTITY_VERIFIED', 'entry'],
    ['library_gate', undefined, 'allow', 'READER_CARD_ACCEPTED', 'entry'],
    ['library_gate', 'lost', 'deny', 'CARD_LOST', 'entry'],
    // Until the venue lists land the device knows no entitlements (rules/facts.ts).
    ['museum_gate', undefined, 'deny', 'NO_RESERVATION', 'entry'],
    ['scenic_turnstile', undefined, 'deny', 'NO_TICKET', 'entry'],
  ];

  it.each(table)(
    '%s, deny list says %s → %s (%s), journaled as %s',
    (profile, denied, decision, reason, direction) => {
      const { journal, events, verifier } = verifierFor(profile, denied);
      const signal = verifier.handle({ cardNumber: CARD, issuingRegion: '500228' });
      expect(signal).toEqual({ seq: 1, decision, display: events[0]!.display });
      expect(events[0]).toMatchObject({ seq: 1, decision, reason, offline: false, deviceTimeMs: NOW });
      expect(journal.range(1, 10)).toEqual([
        {
          seq: 1,
          deviceTimeMs: NOW,
          credential: 'card',
          cardToken: cardTokenHex(KEY, CARD),
          issuingRegion: '500228',
          ...locations[profile],
          direction,
          decision,
          reason,
          concession: 'none',
          offline: false,
        },
      ]);
    },
  );

  it('journals the tap before it signals the gate', () => {
    const { verifier, order } = verifierFor('bus_validator', undefined);
    verifier.handle({ cardNumber: CARD });
    expect(order).toEqual(['signal after journal depth 1']);
  });

  it('keeps only the keyed token: the card number appears nowhere in the journal or the event', () => {
    const { journal, events, verifier } = verifierFor('bus_validator', undefined);
    verifier.handle({ cardNumber: CARD });
    const everything = JSON.stringify([journal.range(1, 10), events]);
    expect(everything).not.toContain(CARD);
    expect(everything).not.toContain('12345678');
  });

  it('marks a tap decided without the MQTT link as offline', () => {
    const { journal, verifier } = verifierFor('bus_validator', undefined, false);
    verifier.handle({ cardNumber: CARD });
    expect(journal.range(1, 1)[0]!.offline).toBe(true);
  });

  it('drops an issuing region that is not a 6-digit code', () => {
    const { journal, verifier } = verifierFor('bus_validator', undefined);
    verifier.handle({ cardNumber: CARD, issuingRegion: '5002' });
    expect(journal.range(1, 1)[0]!.issuingRegion).toBe('');
  });

  it('refuses the same card at an entry gate within the anti-passback window, and journals the refusal', () => {
    const { verifier, journal } = verifierFor('metro_entry_gate', undefined);
    expect([1, 2].map(() => verifier.handle({ cardNumber: CARD })!.decision)).toEqual(['allow', 'deny']);
    expect(journal.range(1, 2).map((e) => e.reason)).toEqual(['ENTRY_RECORDED', 'PASSBACK']);
  });

  it('offline, stops a card at the taps-per-hour limit with a reason, online it does not', () => {
    const offline = verifierFor('bus_validator', undefined, false);
    const reasons = [1, 2, 3].map(() => offline.verifier.handle({ cardNumber: CARD })!.display.en);
    expect(offline.journal.range(1, 3).map((e) => [e.reason, e.offline])).toEqual([
      ['OK', true],
      ['OK', true],
      ['OFFLINE_TAP_LIMIT', true],
    ]);
    expect(reasons[2]).toBe('Offline tap limit reached');
    const online = verifierFor('bus_validator', undefined, true);
    expect([1, 2, 3].map(() => online.verifier.handle({ cardNumber: CARD })!.decision)).toEqual([
      'allow',
      'allow',
      'allow',
    ]);
  });

  it("looks the card up in the lists by its token and the card's issuing region", () => {
    const { verifier, seen } = verifierFor('bus_validator', undefined);
    verifier.handle({ cardNumber: CARD, issuingRegion: '500228' });
    verifier.handle({ cardNumber: CARD, issuingRegion: '5002' });
    expect(seen).toEqual([
      { token: cardTokenHex(KEY, CARD), region: '500228' },
      { token: cardTokenHex(KEY, CARD), region: '' },
    ]);
  });

  it("journals and sends a ticket's last day, and no day for an annual pass (0215)", () => {
    const today = localDay(NOW);
    const held = (kind: Entitlement['kind'], id: string, toDay: number): Entitlement => ({
      kind,
      venueId: 'park-1',
      id,
      fromDay: today - 3,
      toDay,
      slotStartMin: 0,
      slotEndMin: 1440,
      maxEntries: kind === 'annual_pass' ? 0 : 1,
    });
    const decide = (e: Entitlement) => {
      const { verifier, journal } = verifierFor('scenic_turnstile', undefined, false, { entitlements: [e] });
      verifier.handle({ cardNumber: CARD });
      return journal.range(1, 1)[0]!;
    };
    const ticket = decide(held('ticket', 'tkt-30', today + 26));
    expect(ticket).toMatchObject({
      reason: 'TICKET_ADMITTED',
      entitlementId: 'tkt-30',
      entitlementToDay: today + 26,
    });
    expect(toWireTap(ticket)).toMatchObject({ entitlementId: 'tkt-30', entitlementToDay: today + 26 });
    const pass = decide(held('annual_pass', 'pass-1', today + 300));
    expect(pass).toMatchObject({ reason: 'ANNUAL_PASS_ADMITTED', entitlementId: 'pass-1' });
    expect(pass.entitlementToDay).toBeUndefined();
    expect(toWireTap(pass).entitlementToDay).toBe(0);
  });

  it('numbers consecutive taps 1, 2, 3', () => {
    const { verifier } = verifierFor('metro_entry_gate', undefined);
    expect([1, 2, 3].map(() => verifier.handle({ cardNumber: CARD })?.seq)).toEqual([1, 2, 3]);
  });
});
