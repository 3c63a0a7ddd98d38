// Store generations on the device (docs/decisions/0184): a store restored from a backup numbers
// its list versions again under a new, later generation; the device takes that generation's
// snapshot whatever its version, fetches it (from 0) when a delta or head announces it, and
// refuses anything of an earlier generation, so a replayed old snapshot cannot roll it back.
import { describe, expect, it } from 'vitest';
import { ALL_SCOPE, type EnvelopeHeader } from '../../../core/lists/envelope.js';
import { newGeneration } from '../../../core/lists/generation.js';
import { encodeTokenRecords } from '../../../core/lists/records.js';
import { applyRecords, ListState } from '../../../edge-agent/src/lists/state.js';
import { LIST_KEY_ID, testSigner } from '../../support/lists.js';
import { bytes, openLists, tempListsFile, tok } from './fixtures.js';

const LOST = 1;
const G1 = newGeneration(1_750_000_000_000, Buffer.alloc(8, 1));
/** The generation the store began when it was restored, later than G1. */
const G2 = newGeneration(1_760_000_000_000, Buffer.alloc(8, 2));

/** A verified snapshot's header (what a streamed trailer gives) and its table with one card. */
function snapshot(
  version: number,
  generation: string,
  card: string,
): [EnvelopeHeader, ReturnType<typeof table>] {
  const header: EnvelopeHeader = {
    kind: 'deny',
    scope: ALL_SCOPE,
    type: 'snapshot',
    version,
    previousVersion: 0,
    issuedAtMs: 1,
    keyId: LIST_KEY_ID,
    generation,
  };
  return [header, table(card)];
}

function table(card: string) {
  const content = ListState.emptyContent('deny', 1);
  applyRecords(content, encodeTokenRecords([{ token: card, value: LOST }]), '');
  return content;
}

function delta(version: number, generation: string, card: string, previousVersion = version - 1): Uint8Array {
  return testSigner.envelope(
    { kind: 'deny', scope: ALL_SCOPE, type: 'delta', version, previousVersion, issuedAtMs: 1, generation },
    encodeTokenRecords([{ token: card, value: LOST }]),
  );
}

describe('edge lists: store generations', () => {
  it('takes a snapshot of a later generation whatever its version, and keeps it across a reboot', async () => {
    const file = tempListsFile();
    const lists = openLists(file);
    const [before, after] = [tok(), tok()];
    await lists.applySnapshot(...snapshot(9, G1, before));
    expect(await lists.applySnapshot(...snapshot(3, G2, after))).toEqual({
      status: 'applied',
      kind: 'deny',
      version: 3,
    });
    expect([lists.cardFacts(bytes(before), '').deny, lists.cardFacts(bytes(after), '').deny]).toEqual([
      undefined,
      'lost',
    ]);
    await lists.stop();
    const rebooted = openLists(file);
    expect(rebooted.version('deny')).toBe(3);
    // The new generation's deltas follow on from its own numbers.
    expect(await rebooted.applyDelta(delta(4, G2, tok()))).toEqual({
      status: 'applied',
      kind: 'deny',
      version: 4,
    });
    await rebooted.stop();
  });

  it('refuses a snapshot or delta of an earlier generation, so a replay cannot roll the list back', async () => {
    const lists = openLists();
    const card = tok();
    await lists.applySnapshot(...snapshot(3, G2, card));
    expect(await lists.applySnapshot(...snapshot(20, G1, tok()))).toEqual({
      status: 'refused',
      kind: 'deny',
      why: `store generation ${G1} is older than local ${G2}`,
    });
    expect(await lists.applyDelta(delta(4, G1, tok()))).toMatchObject({ status: 'refused' });
    expect([lists.version('deny'), lists.cardFacts(bytes(card), '').deny]).toEqual([3, 'lost']);
    await lists.stop();
  });

  it("treats a later generation's delta as a gap, applies nothing of it, and resyncs from 0", async () => {
    const lists = openLists();
    await lists.applySnapshot(...snapshot(9, G1, tok()));
    const card = tok();
    expect(await lists.applyDelta(delta(4, G2, card))).toEqual({
      status: 'gap',
      kind: 'deny',
      local: 9,
      incoming: 4,
    });
    expect(lists.cardFacts(bytes(card), '').deny).toBeUndefined();
    expect(lists.resyncFrom('deny')).toBe(0);
    await lists.applySnapshot(...snapshot(4, G2, card));
    expect(lists.resyncFrom('deny')).toBe(4);
    await lists.stop();
  });

  it('resyncs from 0 when a head announces a later generation at the same version', async () => {
    const lists = openLists();
    await lists.applySnapshot(...snapshot(5, G1, tok()));
    expect(lists.checkHead(testSigner.head('deny', ALL_SCOPE, 5, 1, G1))).toEqual({
      kind: 'deny',
      differs: false,
    });
    expect(lists.checkHead(testSigner.head('deny', ALL_SCOPE, 5, 1, G2))).toEqual({
      kind: 'deny',
      differs: true,
    });
    expect(lists.resyncFrom('deny')).toBe(0);
    await lists.stop();
  });

  it('keeps the version rule until it holds a generation, then takes the generation of the list it applies', async () => {
    const lists = openLists();
    expect(await lists.applyDelta(delta(5, '', tok(), 0))).toMatchObject({ status: 'applied', version: 5 });
    expect(await lists.applySnapshot(...snapshot(3, G1, tok()))).toMatchObject({
      status: 'refused',
      why: 'version 3 is not newer than local 5 (replayed)',
    });
    expect(await lists.applyDelta(delta(6, G2, tok()))).toMatchObject({ status: 'applied', version: 6 });
    expect(await lists.applySnapshot(...snapshot(30, G1, tok()))).toMatchObject({
      status: 'refused',
      why: `store generation ${G1} is older than local ${G2}`,
    });
    await lists.stop();
  });
});
