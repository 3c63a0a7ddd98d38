import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  base45Decode,
  base45Encode,
  CREDENTIAL_BYTES,
  credentialFacts,
  DYNAMIC_BYTES,
  Keyring,
  provenToken,
  QR_PREFIX,
  type QrContext,
  qrText,
  rawPublicKey,
  verifyQr,
} from '../../../core/credentials/index.js';
import { app, context, NOW, policy, rotatedIssuer, strangerIssuer, TODAY, ticket } from './fixtures.js';

const MIN = 60_000;

function flip(text: string, byteIndex: number): string {
  const bytes = Buffer.from(base45Decode(text.slice(QR_PREFIX.length))!);
  bytes[byteIndex]! ^= 0x01;
  return QR_PREFIX + base45Encode(bytes);
}

describe('dynamic e-card codes, verified offline', () => {
  const holder = app();

  it('a fresh code from a genuine credential yields the card token, flags and region', () => {
    expect(verifyQr(holder.code(NOW), policy(), context())).toEqual({
      ok: true,
      kind: 'dynamic',
      cardToken: '00112233445566778899aabbccddeeff',
      flags: 1,
      region: '500228',
    });
  });

  it('is 201 bytes, 302 base45 characters plus the 3-character prefix', () => {
    const bytes = holder.codeBytes(NOW);
    expect(bytes.length).toBe(DYNAMIC_BYTES);
    expect(DYNAMIC_BYTES).toBe(201);
    expect(holder.credential!.length).toBe(CREDENTIAL_BYTES);
    expect(holder.code(NOW).length).toBe(305);
  });

  it('accepts a credential signed with a rotated key id while both are on the device', () => {
    const rotated = app({ keyId: 2, key: rotatedIssuer });
    expect(verifyQr(rotated.code(NOW), policy(), context()).ok).toBe(true);
  });

  const cases: Array<[string, () => string, Partial<QrContext>, string]> = [
    [
      'the credential names a key id the device does not hold',
      () => app({ keyId: 9 }).code(NOW),
      {},
      'QR_UNKNOWN_KEY',
    ],
    [
      'the credential is signed by a stranger under a known key id',
      () => app({ key: strangerIssuer }).code(NOW),
      {},
      'QR_FORGED',
    ],
    ['a credential byte was changed (card token)', () => flip(holder.code(NOW), 2 + 5), {}, 'QR_FORGED'],
    [
      'a credential byte was changed (concession flags)',
      () => flip(holder.code(NOW), 2 + 19),
      {},
      'QR_FORGED',
    ],
    [
      'the credential was copied into another app (its own key)',
      () => {
        const thief = app();
        thief.credential = holder.credential;
        return thief.code(NOW);
      },
      {},
      'QR_CODE_FORGED',
    ],
    [
      'the code time was changed',
      () => flip(holder.code(NOW), 2 + CREDENTIAL_BYTES + 3),
      {},
      'QR_CODE_FORGED',
    ],
    ['the app signature was changed', () => flip(holder.code(NOW), DYNAMIC_BYTES - 1), {}, 'QR_CODE_FORGED'],
    ['the credential expired', () => app({ notAfter: NOW - MIN }).code(NOW), {}, 'QR_CREDENTIAL_EXPIRED'],
    [
      'the credential starts later',
      () => app({ notBefore: NOW + 5 * MIN }).code(NOW),
      {},
      'QR_CREDENTIAL_NOT_YET_VALID',
    ],
    [
      'the code is older than its window and the skew',
      () => holder.code(NOW - 91_000),
      {},
      'QR_CODE_EXPIRED',
    ],
    ['the code is dated beyond the skew', () => holder.code(NOW + 31_000), {}, 'QR_CODE_NOT_YET_VALID'],
    [
      'the prefix is wrong and no outside issuer claims it',
      () => `XX:${holder.code(NOW).slice(3)}`,
      {},
      'QR_MALFORMED',
    ],
    ['the code is cut short', () => holder.code(NOW).slice(0, 200), {}, 'QR_MALFORMED'],
    ['the text has lower-case letters', () => holder.code(NOW).toLowerCase(), {}, 'QR_MALFORMED'],
    ['the type byte is unknown', () => qrText(Buffer.from([1, 0x5a, 0, 0])), {}, 'QR_MALFORMED'],
    ['the version byte is unknown', () => flip(holder.code(NOW), 0), {}, 'QR_MALFORMED'],
    ['the text is empty', () => '', {}, 'QR_MALFORMED'],
  ];
  it.each(cases)('refuses when %s', (_, make, ctx, reason) => {
    expect(verifyQr(make(), policy(), context(ctx))).toMatchObject({ ok: false, reason });
  });

  it('accepts the edges of the window: skew ahead, ttl + skew behind', () => {
    expect(verifyQr(holder.code(NOW + 30_000), policy(), context()).ok).toBe(true);
    expect(verifyQr(holder.code(NOW - 90_000), policy(), context()).ok).toBe(true);
  });

  it('refuses the same code the second time (replay), a fresh code from the same app passes', () => {
    const ctx = context();
    const code = holder.code(NOW);
    expect(verifyQr(code, policy(), ctx).ok).toBe(true);
    expect(verifyQr(code, policy(), ctx)).toMatchObject({ ok: false, reason: 'QR_REPLAYED' });
    expect(verifyQr(holder.code(NOW), policy(), ctx).ok).toBe(true);
  });

  it('a refusal after the issuer signature checked carries the card token, before it does not', () => {
    expect(verifyQr(holder.code(NOW - 10 * MIN), policy(), context())).toMatchObject({
      cardToken: '00112233445566778899aabbccddeeff',
    });
    expect(verifyQr(app({ key: strangerIssuer }).code(NOW), policy(), context())).not.toHaveProperty(
      'cardToken',
    );
  });

  it('a forged code never reaches the replay memory', () => {
    const remembered: string[] = [];
    const ctx = context({ replay: { firstSeen: (k) => remembered.push(k) > 0 } });
    verifyQr(flip(holder.code(NOW), 10), policy(), ctx);
    verifyQr(holder.code(NOW - 10 * MIN), policy(), ctx);
    expect(remembered).toEqual([]);
  });
});

describe('signed tickets and reservations, verified offline', () => {
  it('a reservation for this venue, today, in its slot yields a single-entry entitlement', () => {
    const verdict = verifyQr(ticket(), policy(), context());
    expect(verdict).toMatchObject({
      ok: true,
      kind: 'ticket',
      holderToken: '00112233445566778899aabbccddeeff',
      entitlement: { kind: 'reservation', venueId: 'museum-1', fromDay: TODAY, toDay: TODAY, maxEntries: 1 },
    });
  });

  it('is 99 bytes plus the venue id', () => {
    const text = ticket({ venueId: 'museum-1' });
    expect(base45Decode(text.slice(3))!.length).toBe(107);
    expect(text.length).toBe(3 + 161);
  });

  it.each([
    ['another venue', { venueId: 'museum-2' }],
    ['yesterday', { day: TODAY - 1 }],
    ['tomorrow', { day: TODAY + 1 }],
    ['a slot that starts later', { slotStartMin: 11 * 60, slotEndMin: 12 * 60 }],
    ['a slot that is over', { slotStartMin: 9 * 60, slotEndMin: 10 * 60 }],
  ] as const)(
    'a ticket for %s still proves what it is: the entry rules judge venue, day and slot',
    (_, over) => {
      const body = { day: TODAY, slotStartMin: 10 * 60, slotEndMin: 11 * 60, venueId: 'museum-1', ...over };
      expect(verifyQr(ticket(over), policy(), context())).toMatchObject({
        ok: true,
        entitlement: {
          venueId: body.venueId,
          fromDay: body.day,
          toDay: body.day,
          slotStartMin: body.slotStartMin,
          slotEndMin: body.slotEndMin,
        },
      });
    },
  );

  const cases: Array<[string, () => string, Partial<QrContext>, string]> = [
    ['it was used on this device', () => ticket(), { ticketUsed: () => true }, 'QR_TICKET_USED'],
    ['it names an unknown key id', () => ticket({ keyId: 7 }), {}, 'QR_UNKNOWN_KEY'],
    ['a stranger signed it', () => ticket({}, strangerIssuer), {}, 'QR_FORGED'],
    ['its venue was edited', () => flip(ticket({ venueId: 'museum-1' }), 35 + 7), {}, 'QR_FORGED'],
    ['its day was edited', () => flip(ticket(), 29), {}, 'QR_FORGED'],
    ['its slot end was edited', () => flip(ticket(), 33), {}, 'QR_FORGED'],
  ];
  it.each(cases)('refuses when %s', (_, make, ctx, reason) => {
    expect(verifyQr(make(), policy(), context(ctx))).toMatchObject({ ok: false, reason });
  });
});

describe("outside issuers' codes", () => {
  it('a code with a configured outside prefix needs an online check', () => {
    expect(verifyQr('HSA:abc123', policy(), context())).toEqual({
      ok: true,
      kind: 'outside',
      code: 'HSA:abc123',
    });
  });

  it('without a configured prefix it is malformed', () => {
    expect(verifyQr('HSA:abc123', policy({ outsidePrefixes: [] }), context())).toMatchObject({
      reason: 'QR_MALFORMED',
    });
  });
});

describe('the credential cache (a commuter seen before)', () => {
  function cache() {
    const entries = new Map<string, KeyObject>();
    const sets: string[] = [];
    return {
      entries,
      sets,
      port: {
        get: (k: string) => entries.get(k),
        set: (k: string, v: KeyObject) => {
          sets.push(k);
          entries.set(k, v);
        },
      },
    };
  }

  it('remembers a verified credential once and decides its next codes the same way', () => {
    const c = cache();
    const holder = app();
    const ctx = context({ credentials: c.port });
    expect(verifyQr(holder.code(NOW), policy(), ctx).ok).toBe(true);
    expect(verifyQr(holder.code(NOW), policy(), ctx).ok).toBe(true);
    expect(c.sets).toHaveLength(1);
    expect(verifyQr(holder.code(NOW - 10 * MIN), policy(), ctx)).toMatchObject({ reason: 'QR_CODE_EXPIRED' });
  });

  it('never remembers a forged credential', () => {
    const c = cache();
    verifyQr(app({ key: strangerIssuer }).code(NOW), policy(), context({ credentials: c.port }));
    expect(c.sets).toEqual([]);
  });

  it('still checks the app signature and the key id of a remembered credential', () => {
    const c = cache();
    const holder = app();
    const ctx = context({ credentials: c.port });
    verifyQr(holder.code(NOW), policy(), ctx);
    const thief = app();
    thief.credential = holder.credential;
    expect(verifyQr(thief.code(NOW), policy(), ctx)).toMatchObject({ reason: 'QR_CODE_FORGED' });
    const rotatedOut = policy({ keys: new Keyring([[2, rawPublicKey(rotatedIssuer.publicKey)]]) });
    expect(verifyQr(holder.code(NOW), rotatedOut, ctx)).toMatchObject({ reason: 'QR_UNKNOWN_KEY' });
  });
});

describe('what a verified code tells the entry rules (credentialFacts, core/facts.ts)', () => {
  const listed = {
    deny: undefined,
    flags: 4,
    regionRecognised: false,
    entitlements: [
      {
        kind: 'annual_pass' as const,
        venueId: 'park-1',
        id: 'pass-1',
        fromDay: TODAY,
        toDay: TODAY + 300,
        slotStartMin: 0,
        slotEndMin: 1440,
        maxEntries: 0,
      },
    ],
  };

  it("a dynamic code: the card's facts from the lists, its concession flags with the credential's", () => {
    const v = verifyQr(app().code(NOW), policy(), context());
    if (!v.ok || v.kind !== 'dynamic') throw new Error('expected a dynamic code');
    expect(provenToken(v)).toBe('00112233445566778899aabbccddeeff');
    expect(credentialFacts(v, listed)).toEqual({ ...listed, flags: 4 | 1 });
  });

  it('a dynamic code: the deny list has the last word over a valid credential', () => {
    const v = verifyQr(app().code(NOW), policy(), context());
    if (!v.ok || v.kind !== 'dynamic') throw new Error('expected a dynamic code');
    expect(credentialFacts(v, { ...listed, deny: 'lost' }).deny).toBe('lost');
  });

  it("a ticket: the holder's deny entry and flags, the ticket as the one entitlement presented", () => {
    const v = verifyQr(ticket(), policy(), context());
    if (!v.ok || v.kind !== 'ticket') throw new Error('expected a ticket');
    expect(provenToken(v)).toBe('00112233445566778899aabbccddeeff');
    expect(credentialFacts(v, { ...listed, deny: 'frozen' })).toEqual({
      deny: 'frozen',
      flags: 4,
      regionRecognised: true,
      entitlements: [v.entitlement],
      presented: v.entitlement,
    });
  });
});
