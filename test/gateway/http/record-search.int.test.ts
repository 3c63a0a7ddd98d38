// Record search by station, stop and masked card number (docs/decisions/0136), in-process over a
// real SQLite store: a masked number naming one card finds that card's records, naming several
// answers 422 CARD_AMBIGUOUS with the candidates' tokens, within what the account may see; a
// full card number in the query string is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { issue, planRun, T0, tap, token } from '../store/fixtures.js';
import { startTestHttp, type TestHttp } from './harness.js';

let http: TestHttp;

async function get(as: string, url: string) {
  const r = await http.app.inject({ method: 'GET', url, headers: await http.as(as) });
  return { status: r.statusCode, type: String(r.headers['content-type']), body: r.body };
}
const ids = (body: string) => (JSON.parse(body) as { items: LedgerRecord[] }).items.map((r) => r.id);

beforeAll(async () => {
  http = await startTestHttp();
  const { store } = http;
  // Cards 1 and 101 are both shown as A12****01; card 2 as A12****02.
  const states = new Map();
  for (const n of [1, 101, 2]) states.set(token(n), await issue(store, n));
  const taps = [
    tap({ cardToken: token(1), seq: 1, operatorId: 'busco', deviceId: 'b1', stopId: 'stop-a' }),
    tap({ cardToken: token(1), seq: 2, operatorId: 'busco', deviceId: 'b1', stopId: 'stop-b' }),
    tap({ cardToken: token(101), seq: 3, operatorId: 'busco', deviceId: 'b1', stopId: 'stop-a' }),
    tap({
      cardToken: token(101),
      seq: 4,
      operatorId: 'metroco',
      deviceId: 'm1',
      routeId: 'L1',
      stopId: '',
      stationId: 'st-x',
      direction: 'entry',
    }),
    tap({
      cardToken: token(2),
      seq: 5,
      operatorId: 'metroco',
      deviceId: 'm1',
      routeId: 'L1',
      stopId: '',
      stationId: 'st-x',
      direction: 'entry',
    }),
  ];
  const outcomes = await store.commit(planRun(states, taps, T0));
  expect(outcomes.every((o) => o.status === 'applied')).toBe(true);
});

afterAll(async () => {
  await http?.close();
});

describe('records by station and stop', () => {
  it('finds a stop’s and a station’s records, newest first, in the account’s scope', async () => {
    expect(ids((await get('root', '/v1/records?stop=stop-a')).body)).toEqual(['tap:b1:3', 'tap:b1:1']);
    expect(ids((await get('root', '/v1/records?station=st-x')).body)).toEqual(['tap:m1:5', 'tap:m1:4']);
    // A bus company asking for a metro station sees none of the metro's records.
    expect(ids((await get('busco-ops', '/v1/records?station=st-x')).body)).toEqual([]);
  });

  it('filters the CSV export the same way', async () => {
    const r = await get('audrey', '/v1/records.csv?stop=stop-b');
    expect(r.status).toBe(200);
    expect(r.body.trim().split('\r\n')).toHaveLength(2);
    expect(r.body).toContain(',busco,b1,r1,stop-b,');
  });
});

describe('records by masked card number', () => {
  it('finds the one card a masked number names', async () => {
    expect(ids((await get('root', '/v1/records?card=A12****02')).body)).toEqual(['tap:m1:5']);
    // Lower case as typed is the same number.
    expect(ids((await get('root', '/v1/records?card=a12****02')).body)).toEqual(['tap:m1:5']);
  });

  it('answers 422 CARD_AMBIGUOUS with the candidates when it names several cards', async () => {
    const r = await get('root', `/v1/records?card=${encodeURIComponent('A12****01')}`);
    expect(r.status).toBe(422);
    expect(r.type).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(r.body);
    expect(problem).toMatchObject({ status: 422, code: 'CARD_AMBIGUOUS' });
    expect(problem.candidates.map((c: { cardToken: string }) => c.cardToken).sort()).toEqual(
      [token(1), token(101)].sort(),
    );
    expect(problem.candidates.find((c: { cardToken: string }) => c.cardToken === token(101))).toMatchObject({
      cardMasked: 'A12****01',
      records: 2,
      lastAt: T0 + 4000,
    });
    expect((await get('root', '/v1/records.csv?card=A12****01')).status).toBe(422);
  });

  it('resolves within the scope: where only one of the cards rode, the mask is not ambiguous', async () => {
    expect(ids((await get('metro-ops', '/v1/records?card=A12****01')).body)).toEqual(['tap:m1:4']);
    // Narrowed by a stop: only card 1 was at stop-b.
    expect(ids((await get('root', '/v1/records?card=A12****01&stop=stop-b')).body)).toEqual(['tap:b1:2']);
  });

  it('answers a masked number that names no card with no records', async () => {
    const r = await get('root', '/v1/records?card=Z99****99');
    expect(r.status).toBe(200);
    expect(ids(r.body)).toEqual([]);
  });

  it('refuses a full card number in the query string', async () => {
    for (const url of ['/v1/records?card=A12345601', '/v1/records.csv?card=A12345601']) {
      const r = await get('root', url);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'CARD_NUMBER_IN_URL' });
    }
  });

  it('takes a card token whose hex digits happen to pass as an ID number, and refuses the number alone (0237)', async () => {
    // 32 hex: 18 digits in a row after the letters, with a valid GB 11643 check character.
    const t = '559880c71782aa171344069360575509';
    const r = await get('root', `/v1/records?card=${t}`);
    expect(r.status).toBe(200);
    expect(ids(r.body)).toEqual([]);
    const alone = await get('root', '/v1/records?card=171344069360575509');
    expect(alone.status).toBe(400);
    expect(JSON.parse(alone.body)).toMatchObject({ code: 'ID_NUMBER_IN_URL' });
  });

  it('is for accounts that read records only', async () => {
    expect((await get('counter1', '/v1/records?card=A12****02')).status).toBe(403);
  });
});
