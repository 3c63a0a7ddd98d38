// List sync on the device: a delta that skips versions makes it fetch the missing changes over
// HTTP from its own version; a head that announces another version does too; a current device
// (204) changes nothing; a head of a later store generation makes it fetch a snapshot from 0.
import { describe, expect, it } from 'vitest';
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import { newGeneration } from '../../../core/lists/generation.js';
import { encodeTokenRecords } from '../../../core/lists/records.js';
import { ListSync } from '../../../edge-agent/src/lists/sync.js';
import { silentLogger } from '../../../edge-agent/src/log.js';
import { listStream, signedDelta, testSigner } from '../../support/lists.js';
import { bytes, openLists, tok, trustedKeys } from './fixtures.js';

function syncWith(lists: ReturnType<typeof openLists>, answer: (url: string) => Response) {
  const urls: string[] = [];
  const sync = new ListSync({
    lists,
    keys: trustedKeys,
    gatewayHttpUrl: 'http://gw.test/',
    retryMs: 60_000,
    log: silentLogger,
    fetch: async (url) => {
      urls.push(String(url));
      return answer(String(url));
    },
  });
  sync.start();
  return { sync, urls };
}

describe('device list sync', () => {
  it('fetches the missing versions when an MQTT delta skips some, then applies them', async () => {
    const lists = openLists();
    const [a, b, c] = [tok(), tok(), tok()];
    await lists.applyDelta(
      signedDelta(testSigner, 'deny', ALL_SCOPE, 1, encodeTokenRecords([{ token: a, value: 1 }])),
    );
    const catchUp = listStream(
      testSigner,
      { kind: 'deny', scope: ALL_SCOPE, type: 'delta', version: 3, previousVersion: 1 },
      encodeTokenRecords([
        { token: b, value: 2 },
        { token: c, value: 3 },
      ]),
    );
    const { sync, urls } = syncWith(
      lists,
      () => new Response(catchUp, { headers: { 'x-onecard-list-type': 'delta' } }),
    );
    const outcome = await sync.onDelta(
      signedDelta(testSigner, 'deny', ALL_SCOPE, 3, encodeTokenRecords([{ token: c, value: 3 }]), 2),
    );
    expect(outcome).toEqual({ status: 'gap', kind: 'deny', local: 1, incoming: 3 });
    await sync.idle();
    await lists.idle();
    expect(urls).toEqual(['http://gw.test/v1/lists/deny/all?since=1']);
    expect(lists.version('deny')).toBe(3);
    expect([a, b, c].map((t) => lists.cardFacts(bytes(t), '').deny)).toEqual([
      'lost',
      'frozen',
      'negative_balance',
    ]);
    sync.stop();
  });

  it('resyncs when a signed head announces another version, and not when it matches', async () => {
    const lists = openLists();
    await lists.applyDelta(
      signedDelta(testSigner, 'flags', ALL_SCOPE, 1, encodeTokenRecords([{ token: tok(), value: 1 }])),
    );
    const { sync, urls } = syncWith(lists, () => new Response(null, { status: 204 }));
    sync.onHead(testSigner.head('flags', ALL_SCOPE, 1, Date.now()));
    await sync.idle();
    expect(urls).toEqual([]);
    sync.onHead(testSigner.head('flags', ALL_SCOPE, 4, Date.now()));
    await sync.idle();
    expect(urls).toEqual(['http://gw.test/v1/lists/flags/all?since=1']);
    expect(lists.version('flags')).toBe(1);
    sync.stop();
  });

  it('ignores a head signed by an unknown key', async () => {
    const lists = openLists();
    const { sync, urls } = syncWith(lists, () => new Response(null, { status: 204 }));
    const head = Buffer.from(testSigner.head('deny', ALL_SCOPE, 9, Date.now()));
    head[head.length - 1]! ^= 1;
    sync.onHead(head);
    await new Promise((r) => setTimeout(r, 10));
    expect(urls).toEqual([]);
    expect(lists.refusedCount()).toBe(1);
    sync.stop();
  });

  it('fetches a snapshot from 0 when a head announces a later store generation, and takes its lower version', async () => {
    const lists = openLists();
    const G1 = newGeneration(1_750_000_000_000, Buffer.alloc(8, 1));
    const G2 = newGeneration(1_760_000_000_000, Buffer.alloc(8, 2)); // the store restored from a backup
    const [old, restored] = [tok(), tok()];
    await lists.applyDelta(
      testSigner.envelope(
        {
          kind: 'deny',
          scope: ALL_SCOPE,
          type: 'delta',
          version: 9,
          previousVersion: 0,
          issuedAtMs: 1,
          generation: G1,
        },
        encodeTokenRecords([{ token: old, value: 1 }]),
      ),
    );
    const snapshot = listStream(
      testSigner,
      { kind: 'deny', scope: ALL_SCOPE, type: 'snapshot', version: 3, previousVersion: 0, generation: G2 },
      encodeTokenRecords([{ token: restored, value: 2 }]),
    );
    const { sync, urls } = syncWith(
      lists,
      () => new Response(snapshot, { headers: { 'x-onecard-list-type': 'snapshot' } }),
    );
    sync.onHead(testSigner.head('deny', ALL_SCOPE, 3, Date.now(), G2));
    await sync.idle();
    await lists.idle();
    expect(urls).toEqual(['http://gw.test/v1/lists/deny/all?since=0']);
    expect(lists.version('deny')).toBe(3);
    expect([old, restored].map((t) => lists.cardFacts(bytes(t), '').deny)).toEqual([undefined, 'frozen']);
    sync.stop();
  });
});
