// The gateway's list answers over a real store (SQLite, and Redis for the paged snapshot),
// read back with the device's own decoders: catch-up deltas, snapshots, "current", and a
// snapshot that stays exact while the list changes under it.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import { openEnvelope } from '../../../edge-agent/src/lists/envelope.js';
import { applyRecords, ListState } from '../../../edge-agent/src/lists/state.js';
import { readFrames } from '../../../edge-agent/src/lists/stream.js';
import { listAnswer } from '../../../gateway/src/lists/stream.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import type { ListKind } from '../../../protos/codec.js';
import { trustedKeys } from '../../edge-agent/lists/fixtures.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { testSigner } from '../../support/lists.js';
import { T0, token } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'onecard-lists-gw-'));
const opened: Store[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads an answer as a device does: frames, digest, verified trailer, records applied. */
async function receive(store: Store, kind: ListKind, since: number, scope = ALL_SCOPE) {
  const answer = await listAnswer(store, testSigner, kind, scope, since, () => T0);
  if (answer.type === 'current') return { type: answer.type };
  const hash = createHash('sha256');
  const content = ListState.emptyContent(kind);
  for await (const frame of readFrames(answer.frames)) {
    if (frame.type === 'records') {
      hash.update(frame.bytes);
      applyRecords(content, frame.bytes, scope);
      continue;
    }
    const env = openEnvelope(frame.bytes, trustedKeys, hash.digest());
    if (!env.ok) throw new Error(env.why);
    return { type: answer.type, header: env.header, content };
  }
  throw new Error('no trailer');
}

const flagsOf = (content: unknown, t: string) =>
  (content as { table: { get(b: Buffer): number } }).table.get(Buffer.from(t, 'hex'));

const stores: Array<[string, () => Promise<Store>]> = [
  ['sqlite', () => openSqliteStore({ file: join(dir, `${uniqueId('s')}.db`) })],
  ['redis', () => openRedisStore({ url: testEnv.redisUrl(), keyPrefix: uniqueId('lists'), partitions: 4 })],
];

describe.each(stores)('signed list answers (%s store)', (_name, open) => {
  async function store() {
    const s = await open();
    opened.push(s);
    return s;
  }

  it('answers "current" when the device has the newest version or there is no list', async () => {
    const s = await store();
    expect((await receive(s, 'flags', 0)).type).toBe('current');
    await s.changeList('flags', ALL_SCOPE, [{ key: token(1), value: '1' }], T0);
    expect((await receive(s, 'flags', 1)).type).toBe('current');
  });

  it('sends a device a few versions behind one signed delta with the net changes', async () => {
    const s = await store();
    await s.changeList('flags', ALL_SCOPE, [{ key: token(1), value: '1' }], T0);
    await s.changeList('flags', ALL_SCOPE, [{ key: token(2), value: '2' }], T0);
    await s.changeList(
      'flags',
      ALL_SCOPE,
      [
        { key: token(2), value: '4' },
        { key: token(1), value: '' },
      ],
      T0,
    );
    const got = await receive(s, 'flags', 1);
    expect(got.header).toMatchObject({ type: 'delta', previousVersion: 1, version: 3 });
    expect(flagsOf(got.content, token(2))).toBe(4);
    expect(flagsOf(got.content, token(1))).toBe(0);
  });

  it('sends a snapshot from 0, which is the whole list at the version it names', async () => {
    const s = await store();
    const cards = Array.from({ length: 5000 }, (_, i) => ({ key: token(i), value: String((i % 7) + 1) }));
    await s.changeList('flags', ALL_SCOPE, cards, T0);
    await s.changeList('flags', ALL_SCOPE, [{ key: token(3), value: '' }], T0);
    const got = await receive(s, 'flags', 0);
    expect(got.header).toMatchObject({ type: 'snapshot', version: 2, previousVersion: 0 });
    expect(flagsOf(got.content, token(4))).toBe(5);
    expect(flagsOf(got.content, token(3))).toBe(0);
  });

  it('stays exact when the list changes while the snapshot is paged', async () => {
    const s = await store();
    const cards = Array.from({ length: 9000 }, (_, i) => ({ key: token(i), value: '1' }));
    await s.changeList('flags', ALL_SCOPE, cards, T0);
    const answer = await listAnswer(s, testSigner, 'flags', ALL_SCOPE, 0, () => T0);
    const frames = answer.frames[Symbol.asyncIterator]();
    const first = await frames.next(); // one page read
    // Changes land between pages: an early key removed, a late key changed, a new key added.
    await s.changeList(
      'flags',
      ALL_SCOPE,
      [
        { key: token(0), value: '' },
        { key: token(8999), value: '6' },
      ],
      T0,
    );
    await s.changeList('flags', ALL_SCOPE, [{ key: token(20_000), value: '2' }], T0);
    const rest: Buffer[] = [first.value as Buffer];
    for (let f = await frames.next(); !f.done; f = await frames.next()) rest.push(f.value);
    const hash = createHash('sha256');
    const content = ListState.emptyContent('flags');
    let version = 0;
    for await (const frame of readFrames(
      (async function* () {
        yield* rest;
      })(),
    )) {
      if (frame.type === 'records') {
        hash.update(frame.bytes);
        applyRecords(content, frame.bytes, ALL_SCOPE);
      } else {
        const env = openEnvelope(frame.bytes, trustedKeys, hash.digest());
        if (!env.ok) throw new Error(env.why);
        version = env.header.version;
      }
    }
    expect(version).toBe(3);
    expect([
      flagsOf(content, token(0)),
      flagsOf(content, token(8999)),
      flagsOf(content, token(20_000)),
    ]).toEqual([0, 6, 2]);
    expect((content as { table: { size: number } }).table.size).toBe(9000);
  });

  it('streams the deny list and venue entitlements the same way', async () => {
    const s = await store();
    await s.changeList('deny', 'all', [{ key: token(1), value: 'frozen' }], T0);
    const deny = await receive(s, 'deny', 0);
    expect(deny.header).toMatchObject({ kind: 'deny', type: 'snapshot', version: 1 });
    expect(
      (deny.content as { table: { get(b: Buffer): number } }).table.get(Buffer.from(token(1), 'hex')),
    ).toBe(2);
    const e = {
      kind: 'ticket',
      venueId: 'museum-1',
      id: 't-1',
      fromDay: 20_000,
      toDay: 20_000,
      slotStartMin: 540,
      slotEndMin: 600,
      maxEntries: 1,
    };
    await s.changeList(
      'entitlements',
      'museum-1',
      [{ key: `${token(2)}:t-1`, value: JSON.stringify(e) }],
      T0,
    );
    const ents = await receive(s, 'entitlements', 0, 'museum-1');
    expect((ents.content as { byToken: Map<string, unknown> }).byToken.get(token(2))).toEqual([e]);
  });

  it("signs the store's generation into snapshots and deltas alike (0184)", async () => {
    const s = await store();
    for (let v = 1; v <= 3; v++) await s.changeList('flags', 'all', [{ key: token(v), value: '1' }], T0);
    const generation = await s.listGeneration();
    expect((await receive(s, 'flags', 0)).header).toMatchObject({ type: 'snapshot', generation });
    expect((await receive(s, 'flags', 1)).header).toMatchObject({ type: 'delta', generation });
  });
});
