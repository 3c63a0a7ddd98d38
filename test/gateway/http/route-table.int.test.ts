// Every route of the real app against every kind of caller, as the table in route-table.ts
// says (docs/decisions/0154): a registered route without a row fails, so no route is added
// without deciding who may call it. Real HTTP (the live route is a stream) over the SQLite
// store, and once over Redis: tenancy must not depend on the store.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RouteOptions } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardTokenHex } from '../../../core/pii.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openRedisStore } from '../../../gateway/src/store/redis.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { type FakeIssuer, startFakeIssuer } from '../../support/fake-issuer.js';
import { type Simulator, startSimulator } from '../../support/payment-simulator.js';
import { unlinkPrefix } from '../../support/redis-cleanup.js';
import { allDayMuseum } from '../../support/venues.js';
import { startTestHttp, type TestHttp, TOKEN_KEY } from './harness.js';
import { type Call, ids, requests, table } from './route-table.js';

/** The table's columns, each a caller: an account, the holder, a device or nobody. */
const callers = {
  adm: 'root',
  aud: 'audrey',
  audA: 'auditor-a',
  card: 'counter1',
  trA: 'transit-a',
  vnA: 'venue-a-ops',
  vnB: 'venue-b-ops',
  app: 'ecard',
  hold: 'holder',
  devA: ids.deviceA,
  devB: ids.deviceB,
  anon: '',
} as const;
type Column = keyof typeof callers;

const tenantAccounts = [
  { username: 'auditor-a', role: 'auditor', tenant: ids.tenantA },
  { username: 'transit-a', role: 'transit_operator', tenant: ids.tenantA },
  { username: 'venue-a-ops', role: 'venue_operator', tenant: ids.tenantA },
  { username: 'venue-b-ops', role: 'venue_operator', tenant: ids.tenantB },
] as const;

interface Row {
  name: string;
  /** METHOD /url as registered: the row's name without its [case]. */
  route: string;
  cells: Record<Column, string>;
}

function parseTable(text: string): { columns: Column[]; rows: Row[] } {
  const [header, ...lines] = text.trim().split('\n');
  const columns = header!.split('|')[1]!.trim().split(/\s+/) as Column[];
  const rows = lines.map((line) => {
    const [left, right] = line.split('|');
    const name = left!.trim().replace(/\s+/, ' ');
    const values = right!.trim().split(/\s+/);
    return {
      name,
      route: name.replace(/ \[.*\]$/, ''),
      cells: Object.fromEntries(columns.map((c, i) => [c, values[i] ?? '?'])) as Record<Column, string>,
    };
  });
  return { columns, rows };
}

const { columns, rows } = parseTable(table);

/** The class of an answer, in the table's words. A 5xx is none of them: it fails the row. */
function classOf(status: number, code: string | undefined): string {
  if (status === 401) return '401';
  if (status === 403) return code === 'FORBIDDEN_TENANT' ? 'ten' : '403';
  if (status < 400) return 'ok';
  if (status < 500) return 'dom';
  return `${status}!`;
}

function suite(storeName: string, openStore: () => Promise<Store>) {
  describe(`who may call which route (${storeName} store)`, () => {
    let t: TestHttp;
    let url = '';
    let issuer: FakeIssuer;
    let simulator: Simulator;
    const registered = new Set<string>();
    const auth = new Map<Column, string>();

    async function send(column: Column, call: Call): Promise<string> {
      const headers: Record<string, string> = {};
      if (auth.get(column)) headers.authorization = auth.get(column)!;
      if (call.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${url}${call.url}`, {
        method: call.method,
        headers,
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      });
      const type = res.headers.get('content-type') ?? '';
      // The live view is a stream that does not end: its status and headers are the answer.
      if (type.startsWith('text/event-stream')) {
        await res.body?.cancel();
        return classOf(res.status, undefined);
      }
      const text = await res.text();
      const code = type.includes('json') && text ? (JSON.parse(text) as { code?: string }).code : undefined;
      return classOf(res.status, code);
    }

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'onecard-tenancy-'));
      mkdirSync(join(dir, 'venues', 'two-towns'), { recursive: true });
      for (const [venueId, operatorId] of [
        [ids.venueA, ids.tenantA],
        [ids.venueB, ids.tenantB],
      ] as const)
        writeFileSync(
          join(dir, 'venues', 'two-towns', `${venueId}.json`),
          JSON.stringify(allDayMuseum(venueId, operatorId)),
        );
      issuer = await startFakeIssuer({ latencyMs: 0 });
      simulator = await startSimulator();
      t = await startTestHttp({
        venuesDir: join(dir, 'venues'),
        qrSigningKeys: `1:${'11'.repeat(32)}`,
        qrOutsideIssuerUrl: issuer.url,
        paymentProvider: { url: simulator.url, publicKeyHex: simulator.publicKeyHex },
        store: await openStore(),
        accounts: [...tenantAccounts],
        onRoute: (r: RouteOptions) => {
          for (const method of [r.method].flat()) if (method !== 'HEAD') registered.add(`${method} ${r.url}`);
        },
      });
      url = await t.app.listen({ host: '127.0.0.1', port: 0 });
      for (const cardNumber of [ids.holderCard, ids.counterCard])
        await t.cards.issue({ cardNumber, region: '110000', concessions: [], balanceFen: 10_000 });
      for (const column of columns) {
        const who = callers[column];
        if (who === '' || who === 'holder' || column === 'devA' || column === 'devB') continue;
        auth.set(column, (await t.as(who)).authorization!);
      }
      const admin = { authorization: auth.get('adm')!, 'content-type': 'application/json' };
      for (const [column, deviceId, operatorId, venueId] of [
        ['devA', ids.deviceA, ids.tenantA, ids.venueA],
        ['devB', ids.deviceB, ids.tenantB, ids.venueB],
      ] as const) {
        const r = await fetch(`${url}/v1/devices`, {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ deviceId, operatorId, profile: 'museum_gate', venueId }),
        });
        expect(r.status).toBe(201);
        auth.set(column, `Device ${((await r.json()) as { credential: string }).credential}`);
      }
      const holder = await fetch(`${url}/v1/holder-tokens`, {
        method: 'POST',
        headers: { authorization: auth.get('app')!, 'content-type': 'application/json' },
        body: JSON.stringify({ cardNumber: ids.holderCard }),
      });
      auth.set('hold', `Bearer ${((await holder.json()) as { token: string }).token}`);
    });

    afterAll(async () => {
      await t?.close();
      await issuer?.close();
      await simulator?.stop();
    });

    it('has a row for every registered route, and a request for every row', () => {
      const calls = requests((n) => cardTokenHex(TOKEN_KEY, n), Date.now());
      expect(columns).toEqual(Object.keys(callers));
      expect([...registered].filter((r) => !rows.some((row) => row.route === r)).sort()).toEqual([]);
      expect(rows.map((r) => r.route).filter((r) => !registered.has(r))).toEqual([]);
      expect(rows.map((r) => r.name).filter((n) => !calls[n])).toEqual([]);
      expect(Object.keys(calls).filter((n) => !rows.some((r) => r.name === n))).toEqual([]);
    });

    // In table order: the last rows log out and report the holder's card lost.
    it.each(rows)('$name', async (row) => {
      const call = requests((n) => cardTokenHex(TOKEN_KEY, n), Date.now())[row.name]!;
      const got: Record<string, string> = {};
      for (const column of columns) got[column] = await send(column, call);
      // Compared as whole rows: a mismatch shows every caller's answer side by side.
      expect(got).toEqual(row.cells);
    });
  });
}

suite('sqlite', () => openSqliteStore({ file: ':memory:' }));

const prefix = uniqueId('tenancy');
suite('redis', () => openRedisStore({ url: testEnv.redisUrl(), keyPrefix: prefix, partitions: 4 }));
afterAll(async () => {
  const admin = new Redis(testEnv.redisUrl());
  await unlinkPrefix(admin, prefix);
  await admin.quit();
});
