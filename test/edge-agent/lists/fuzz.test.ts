// Property tests for everything that decodes list bytes on the device: random bytes, and valid
// signed envelopes and streams with bytes flipped, cut or inserted, never throw out of the
// agent's list code, never change any list, and never let a denied card through.
import { describe, expect, it } from 'vitest';
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import {
  bodyProblem,
  encodeEntitlementRecord,
  encodeRegionRecords,
  encodeTokenRecords,
} from '../../../core/lists/records.js';
import { mulberry32 as rng } from '../../../core/random.js';
import { openEnvelope } from '../../../edge-agent/src/lists/envelope.js';
import type { EdgeLists } from '../../../edge-agent/src/lists/lists.js';
import { ListSync } from '../../../edge-agent/src/lists/sync.js';
import { silentLogger } from '../../../edge-agent/src/log.js';
import type { ListKind } from '../../../protos/codec.js';
import { listStream, signedDelta, testSigner } from '../../support/lists.js';
import { bytes, openLists, tok, trustedKeys } from './fixtures.js';

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** One random mutation: flip bits, overwrite, cut, insert or duplicate a slice. */
function mutate(r: () => number, src: Uint8Array): Buffer {
  const b = Buffer.from(src);
  const at = Math.floor(r() * Math.max(1, b.length));
  switch (Math.floor(r() * 5)) {
    case 0:
      if (b.length > 0) b[at]! ^= 1 << Math.floor(r() * 8);
      return b;
    case 1:
      return Buffer.concat([b.subarray(0, at), randomBytes(r, 1 + Math.floor(r() * 8)), b.subarray(at + 1)]);
    case 2:
      return b.subarray(0, at);
    case 3:
      return Buffer.concat([b.subarray(0, at), randomBytes(r, 1 + Math.floor(r() * 20)), b.subarray(at)]);
    default:
      return Buffer.concat([b, b.subarray(at)]);
  }
}

const DENIED = tok();
const SENIOR = tok();

/** A device with one denied card (version 1 of deny) and one senior (version 1 of flags). */
async function seededLists(): Promise<EdgeLists> {
  const lists = openLists(undefined, 'museum-1');
  await lists.applyDelta(
    signedDelta(testSigner, 'deny', ALL_SCOPE, 1, encodeTokenRecords([{ token: DENIED, value: 1 }])),
  );
  await lists.applyDelta(
    signedDelta(testSigner, 'flags', ALL_SCOPE, 1, encodeTokenRecords([{ token: SENIOR, value: 1 }])),
  );
  return lists;
}

function fingerprint(lists: EdgeLists): string {
  return JSON.stringify([
    lists.versionInfo(),
    lists.cardFacts(bytes(DENIED), ''),
    lists.cardFacts(bytes(SENIOR), ''),
  ]);
}

/** Valid next-in-line envelopes of every kind, the seeds of the mutations. */
function validDeltas(): Uint8Array[] {
  const ent = encodeEntitlementRecord(tok(), {
    kind: 'reservation',
    venueId: 'museum-1',
    id: 'r-1',
    fromDay: 20_000,
    toDay: 20_000,
    slotStartMin: 600,
    slotEndMin: 660,
    maxEntries: 1,
  });
  return [
    // Takes the denied card off the list: a mutated copy must never do that.
    signedDelta(testSigner, 'deny', ALL_SCOPE, 2, encodeTokenRecords([{ token: DENIED, value: 0 }])),
    signedDelta(testSigner, 'flags', ALL_SCOPE, 2, encodeTokenRecords([{ token: DENIED, value: 3 }])),
    signedDelta(
      testSigner,
      'regions',
      ALL_SCOPE,
      1,
      encodeRegionRecords([{ region: '500000', recognised: true }]),
    ),
    signedDelta(testSigner, 'entitlements', 'museum-1', 1, ent),
  ];
}

describe('list decoders under random and mutated bytes', () => {
  it('random bytes as an MQTT delta: refused, no exception, nothing changes', async () => {
    const lists = await seededLists();
    const before = fingerprint(lists);
    const r = rng(1);
    for (let i = 0; i < 3000; i++) {
      const outcome = await lists.applyDelta(randomBytes(r, Math.floor(r() * 200)));
      expect(outcome.status, `case ${i}`).toBe('refused');
    }
    expect(fingerprint(lists)).toBe(before);
    expect(lists.cardFacts(bytes(DENIED), '').deny).toBe('lost');
    expect(lists.refusedCount()).toBe(3000);
  });

  it('mutated signed deltas: refused (or, when the mutation left the signed bytes intact, applied as signed)', async () => {
    const lists = await seededLists();
    const before = fingerprint(lists);
    const seeds = validDeltas();
    const r = rng(2);
    let applied = 0;
    for (let i = 0; i < 4000; i++) {
      const seed = seeds[i % seeds.length]!;
      const m = mutate(r, seed);
      const opened = openEnvelope(m, trustedKeys);
      // A mutation that still verifies can only be one protobuf can decode to the same signed
      // content (e.g. bytes appended as an unknown field): then it is the genuine delta.
      if (opened.ok) {
        applied++;
        continue;
      }
      expect((await lists.applyDelta(m)).status, `case ${i}`).toBe('refused');
    }
    expect(fingerprint(lists)).toBe(before);
    expect(lists.cardFacts(bytes(DENIED), '').deny).toBe('lost');
    expect(applied).toBeLessThan(400);
  });

  it('record bodies of every kind: bodyProblem never throws on random bytes', () => {
    const r = rng(3);
    for (const kind of ['deny', 'flags', 'regions', 'entitlements'] as ListKind[])
      for (let i = 0; i < 2000; i++)
        expect(() => bodyProblem(kind, randomBytes(r, Math.floor(r() * 120)))).not.toThrow();
  });

  it('HTTP resync streams: random and mutated answers are refused by the sync, never a change', async () => {
    const lists = await seededLists();
    const before = fingerprint(lists);
    // A genuine snapshot at the local version (so even intact it is refused as a replay) that
    // would take the denied card off the list.
    const stream = listStream(
      testSigner,
      { kind: 'deny', scope: ALL_SCOPE, type: 'snapshot', version: 1, previousVersion: 0 },
      encodeTokenRecords([{ token: tok(), value: 1 }]),
    );
    const r = rng(4);
    let answer: Buffer = stream;
    const sync = new ListSync({
      lists,
      keys: trustedKeys,
      gatewayHttpUrl: 'http://gateway.invalid',
      retryMs: 60_000,
      log: silentLogger,
      fetch: async () => {
        const body = answer;
        return new Response(
          new ReadableStream({
            start(c) {
              for (let o = 0; o < body.length; o += 7) c.enqueue(body.subarray(o, o + 7));
              c.close();
            },
          }),
          { headers: { 'x-onecard-list-type': r() < 0.8 ? 'snapshot' : 'delta' } },
        );
      },
    });
    sync.start();
    for (let i = 0; i < 1500; i++) {
      answer = i % 4 === 0 ? randomBytes(r, Math.floor(r() * 100)) : mutate(r, stream);
      await sync.requestResync('deny');
      await lists.idle();
    }
    sync.stop();
    expect(fingerprint(lists)).toBe(before);
    expect(lists.cardFacts(bytes(DENIED), '').deny).toBe('lost');
  });
});

describe('persisted lists under damaged bytes', () => {
  it('a damaged log never throws at boot and never applies more than its verified prefix', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { tempListsFile } = await import('./fixtures.js');
    const file = tempListsFile();
    const lists = openLists(file, 'museum-1');
    await lists.applyDelta(
      signedDelta(testSigner, 'deny', ALL_SCOPE, 1, encodeTokenRecords([{ token: DENIED, value: 1 }])),
    );
    await lists.applyDelta(
      signedDelta(testSigner, 'deny', ALL_SCOPE, 2, encodeTokenRecords([{ token: SENIOR, value: 2 }])),
    );
    await lists.stop();
    const log = readFileSync(`${file}.log`);
    const r = rng(5);
    for (let i = 0; i < 300; i++) {
      writeFileSync(`${file}.log`, mutate(r, log));
      const rebooted = openLists(file, 'museum-1');
      const v = rebooted.version('deny');
      // Whatever survived is a verified prefix: version 0, 1 or 2, with exactly that content.
      expect([0, 1, 2], `case ${i}`).toContain(v);
      expect(rebooted.cardFacts(bytes(DENIED), '').deny, `case ${i}`).toBe(v >= 1 ? 'lost' : undefined);
      expect(rebooted.cardFacts(bytes(SENIOR), '').deny, `case ${i}`).toBe(v === 2 ? 'frozen' : undefined);
      await rebooted.stop();
    }
  });
});
