// The deny list as a list kind (docs/decisions/0184): changes go out as signed deltas, the JSON
// sync for operators' tools answers changes or the whole list, and a snapshot read while the
// list changes is the list of the version it names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DenyListPublisher, denySnapshot } from '../../../gateway/src/lists/deny.js';
import { ListPublisher } from '../../../gateway/src/lists/publisher.js';
import { silentLogger } from '../../../gateway/src/log.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { uniqueId } from '../../support/env.js';
import { testSigner } from '../../support/lists.js';
import { T0, token } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'onecard-deny-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: Store;
let topics: string[];
let deny: DenyListPublisher;

beforeEach(async () => {
  store = await openSqliteStore({ file: join(dir, `${uniqueId('d')}.db`) });
  topics = [];
  const lists = new ListPublisher(
    store,
    testSigner,
    async (t) => void topics.push(t),
    silentLogger,
    () => T0,
  );
  deny = new DenyListPublisher(store, lists, () => T0);
});
afterEach(async () => store.close());

describe('deny list publisher', () => {
  it('answers each change with its version, publishes its delta, and null when nothing changed', async () => {
    expect(await deny.change(token(1), true, 'lost')).toEqual({
      version: 1,
      token: token(1),
      add: true,
      reason: 'lost',
      at: T0,
    });
    expect(await deny.change(token(1), true, 'lost')).toBeNull();
    expect(topics).toEqual(['onecard/v1/lists/deny/all/delta', 'onecard/v1/lists/deny/all/head']);
    expect(await deny.version()).toBe(1);
  });

  it('syncs the changes after a version (a removal without a reason), or the whole list from 0', async () => {
    await deny.change(token(1), true, 'lost');
    await deny.change(token(2), true, 'frozen');
    await deny.change(token(1), false, 'lost');
    expect(await deny.sync(1)).toEqual({
      version: 3,
      reset: false,
      changes: [
        { version: 2, token: token(2), add: true, reason: 'frozen' },
        { version: 3, token: token(1), add: false },
      ],
    });
    expect(await deny.sync(0)).toEqual({
      version: 3,
      reset: true,
      changes: [{ version: 3, token: token(2), add: true, reason: 'frozen' }],
    });
  });

  it('snapshots the list of the version it names, by token, though it changes while read', async () => {
    for (let n = 1; n <= 5; n++) await deny.change(token(n), true, 'frozen');
    const reading = denySnapshot(store);
    await deny.change(token(3), false, 'frozen');
    const snap = await reading;
    const expected = [1, 2, 3, 4, 5]
      .filter((n) => snap.version === 5 || n !== 3)
      .map((n) => ({ token: token(n), reason: 'frozen' }));
    expect(snap.entries).toEqual(expected);
    expect(await denySnapshot(store)).toEqual({
      version: 6,
      entries: [1, 2, 4, 5].map((n) => ({ token: token(n), reason: 'frozen' })),
    });
  });
});
