// The device's lists: only signed, next-in-line envelopes change anything; forged, replayed,
// out-of-order and malformed ones are refused with a reason and change nothing; what was
// applied survives a reboot; cardFacts gives the decision rules what the lists say.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import {
  encodeEntitlementRecord,
  encodeRegionRecords,
  encodeTokenRecords,
} from '../../../core/lists/records.js';
import { applyRecords, ListState } from '../../../edge-agent/src/lists/state.js';
import { ListSigner } from '../../../gateway/src/lists/signer.js';
import { LIST_KEY_ID, signedDelta, testSigner } from '../../support/lists.js';
import { bytes, openLists, tempListsFile, tok } from './fixtures.js';

const LOST = 1;
const deny = (version: number, token: string, code = LOST, prev = version - 1) =>
  signedDelta(testSigner, 'deny', ALL_SCOPE, version, encodeTokenRecords([{ token, value: code }]), prev);

describe('edge lists: signed deltas', () => {
  it('applies a signed delta that follows the local version, and the card is denied at once', async () => {
    const lists = openLists();
    const card = tok();
    expect(await lists.applyDelta(deny(1, card))).toEqual({ status: 'applied', kind: 'deny', version: 1 });
    expect(lists.cardFacts(bytes(card), '').deny).toBe('lost');
    expect(lists.version('deny')).toBe(1);
  });

  it('refuses a delta signed with a key it does not trust, and changes nothing', async () => {
    const lists = openLists();
    const { privateKey } = generateKeyPairSync('ed25519');
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('hex');
    const forger = new ListSigner(seed, LIST_KEY_ID); // right key id, wrong key
    const card = tok();
    const forged = signedDelta(
      forger,
      'deny',
      ALL_SCOPE,
      1,
      encodeTokenRecords([{ token: card, value: LOST }]),
    );
    expect(await lists.applyDelta(forged)).toEqual({ status: 'refused', why: 'signature does not verify' });
    expect([lists.version('deny'), lists.cardFacts(bytes(card), '').deny]).toEqual([0, undefined]);
  });

  it('refuses a delta whose body was changed after signing', async () => {
    const lists = openLists();
    const envelope = Buffer.from(deny(1, tok()));
    envelope[envelope.length - 70]! ^= 1; // inside the body, before the 64-byte signature
    expect(await lists.applyDelta(envelope)).toMatchObject({ status: 'refused' });
    expect(lists.version('deny')).toBe(0);
  });

  it('refuses a replayed delta (same or lower version) and keeps the list as it is', async () => {
    const lists = openLists();
    const card = tok();
    const first = deny(1, card);
    await lists.applyDelta(first);
    await lists.applyDelta(
      signedDelta(testSigner, 'deny', ALL_SCOPE, 2, encodeTokenRecords([{ token: card, value: 0 }])),
    );
    expect(await lists.applyDelta(first)).toMatchObject({
      status: 'refused',
      why: 'version 1 is not newer than local 2 (replayed)',
    });
    expect(lists.cardFacts(bytes(card), '').deny).toBeUndefined();
  });

  it('reports a gap for a delta from further ahead, and applies nothing of it', async () => {
    const lists = openLists();
    const card = tok();
    expect(await lists.applyDelta(deny(3, card))).toEqual({
      status: 'gap',
      kind: 'deny',
      local: 0,
      incoming: 3,
    });
    expect(lists.cardFacts(bytes(card), '').deny).toBeUndefined();
  });

  it('refuses a signed delta with a malformed body (unknown deny code)', async () => {
    const lists = openLists();
    expect(await lists.applyDelta(deny(1, tok(), 9))).toMatchObject({
      status: 'refused',
      why: 'body: record 0 has deny code 9',
    });
    expect(lists.version('deny')).toBe(0);
  });

  it("refuses another venue's entitlements", async () => {
    const lists = openLists(undefined, 'museum-1');
    const body = encodeEntitlementRecord(tok(), {
      kind: 'ticket',
      venueId: 'museum-2',
      id: 't1',
      fromDay: 1,
      toDay: 2,
      slotStartMin: 0,
      slotEndMin: 1440,
      maxEntries: 1,
    });
    expect(
      await lists.applyDelta(signedDelta(testSigner, 'entitlements', 'museum-2', 1, body)),
    ).toMatchObject({
      status: 'refused',
      why: 'scope "museum-2" is not this device\'s',
    });
  });

  it('applies a 10,000-entry delta in slices, letting taps be decided in between', async () => {
    const lists = openLists();
    const entries = Array.from({ length: 10_000 }, () => ({ token: tok(), value: 5 }));
    let done = false;
    const seen: number[] = [];
    const applying = lists
      .applyDelta(signedDelta(testSigner, 'flags', ALL_SCOPE, 1, encodeTokenRecords(entries)))
      .then(() => {
        done = true;
      });
    // Taps arriving while the delta applies are decided at once, from the table as it stands.
    const look = () => {
      if (done) return;
      seen.push(lists.state.flags.size);
      setImmediate(look);
    };
    setImmediate(look);
    await applying;
    expect(seen.some((n) => n > 0 && n < 10_000)).toBe(true);
    expect(lists.version('flags')).toBe(1);
    expect(lists.cardFacts(bytes(entries[1234]!.token), '').flags).toBe(5);
  });
});

describe('edge lists: card facts', () => {
  it('combine deny, concession flags, region recognition and the venue entitlements', async () => {
    const lists = openLists(undefined, 'museum-1');
    const senior = tok();
    const ent = {
      kind: 'annual_pass' as const,
      venueId: 'museum-1',
      id: 'pass-9',
      fromDay: 20_000,
      toDay: 20_365,
      slotStartMin: 0,
      slotEndMin: 1440,
      maxEntries: 0,
    };
    await lists.applyDelta(
      signedDelta(testSigner, 'flags', ALL_SCOPE, 1, encodeTokenRecords([{ token: senior, value: 1 }])),
    );
    await lists.applyDelta(
      signedDelta(
        testSigner,
        'regions',
        ALL_SCOPE,
        1,
        encodeRegionRecords([{ region: '500000', recognised: true }]),
      ),
    );
    await lists.applyDelta(
      signedDelta(testSigner, 'entitlements', 'museum-1', 1, encodeEntitlementRecord(senior, ent)),
    );
    expect(lists.cardFacts(bytes(senior), '500000')).toEqual({
      deny: undefined,
      flags: 1,
      regionRecognised: true,
      entitlements: [ent],
    });
    expect(lists.cardFacts(bytes(tok()), '110000')).toEqual({
      deny: undefined,
      flags: 0,
      regionRecognised: false,
      entitlements: [],
    });
  });

  it('recognises every region while it has no region list yet (version 0)', () => {
    expect(openLists().cardFacts(bytes(tok()), '').regionRecognised).toBe(true);
  });

  it('replaces an entitlement with the same id and removes it on a removal record', () => {
    const content = ListState.emptyContent('entitlements');
    const card = tok();
    const e = {
      kind: 'ticket' as const,
      venueId: 'v',
      id: 't1',
      fromDay: 1,
      toDay: 1,
      slotStartMin: 600,
      slotEndMin: 660,
      maxEntries: 1,
    };
    applyRecords(content, encodeEntitlementRecord(card, e), 'v');
    applyRecords(content, encodeEntitlementRecord(card, { ...e, slotStartMin: 540 }), 'v');
    expect(content.kind === 'entitlements' && content.byToken.get(card)).toEqual([
      { ...e, slotStartMin: 540 },
    ]);
    applyRecords(content, encodeEntitlementRecord(card, e, true), 'v');
    expect(content.kind === 'entitlements' && content.byToken.has(card)).toBe(false);
  });
});

describe('edge lists: persistence', () => {
  it('a rebooted device decides from the lists it had, before any network', async () => {
    const file = tempListsFile();
    const first = openLists(file);
    const lost = tok();
    const senior = tok();
    await first.applyDelta(deny(1, lost));
    await first.applyDelta(
      signedDelta(testSigner, 'flags', ALL_SCOPE, 1, encodeTokenRecords([{ token: senior, value: 1 }])),
    );
    await first.stop();
    const rebooted = openLists(file);
    expect(rebooted.cardFacts(bytes(lost), '').deny).toBe('lost');
    expect(rebooted.cardFacts(bytes(senior), '').flags).toBe(1);
    expect(rebooted.versionInfo().map((v) => [v.kind, v.version])).toEqual([
      ['deny', 1],
      ['flags', 1],
      ['regions', 0],
      ['entitlements', 0],
    ]);
  });

  it('keeps a snapshot in the base file and the deltas after it in the log', async () => {
    const file = tempListsFile();
    const first = openLists(file);
    const a = tok();
    const b = tok();
    const table = ListState.emptyContent('deny', 1);
    applyRecords(table, encodeTokenRecords([{ token: a, value: 2 }]), '');
    await first.applySnapshot(
      {
        kind: 'deny',
        scope: ALL_SCOPE,
        type: 'snapshot',
        version: 7,
        previousVersion: 0,
        issuedAtMs: 1,
        keyId: LIST_KEY_ID,
      },
      table,
    );
    await first.applyDelta(deny(8, b));
    await first.stop();
    const rebooted = openLists(file);
    expect([rebooted.cardFacts(bytes(a), '').deny, rebooted.cardFacts(bytes(b), '').deny]).toEqual([
      'frozen',
      'lost',
    ]);
    expect(rebooted.version('deny')).toBe(8);
  });

  it('cuts off a torn log tail (power lost mid-append) and keeps what came before', async () => {
    const file = tempListsFile();
    const first = openLists(file);
    const a = tok();
    await first.applyDelta(deny(1, a));
    await first.stop();
    const { appendFileSync } = await import('node:fs');
    appendFileSync(`${file}.log`, Buffer.from([0, 0, 1, 0, 9, 9])); // a length, then too few bytes
    const rebooted = openLists(file);
    expect([rebooted.version('deny'), rebooted.cardFacts(bytes(a), '').deny]).toEqual([1, 'lost']);
  });
});
