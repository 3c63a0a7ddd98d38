// The concession subsidy over HTTP (docs/decisions/0162): the figures, the records and the CSV
// export answer the same fen, the card discount not in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../../core/ledger.js';
import { planTap } from '../../../core/ledger.js';
import { tariffPricer } from '../../../core/pricing.js';
import { readTariff, tariffPath } from '../../../gateway/src/tariff/load.js';
import { tapInput } from '../../support/taps.js';
import { startTestHttp, type TestHttp } from './harness.js';

let t: TestHttp;
const beijing = tariffPricer(readTariff(tariffPath('beijing')));
const AT = tapInput().deviceTimeMs;
const HOUR = 3_600_000;
const range = `from=${Math.floor(AT / HOUR) * HOUR}&to=${Math.floor(AT / HOUR) * HOUR + HOUR}`;

beforeAll(async () => {
  t = await startTestHttp();
  // A single-fare bus, 2 yuan cash, 1 yuan on the card: senior free, student a quarter of cash.
  const riders = [
    ['A11111111', ['SENIOR']],
    ['A22222222', ['STUDENT']],
    ['A33333333', []],
  ] as const;
  for (const [i, [cardNumber, concessions]] of riders.entries()) {
    const card = await t.cards.issue({
      cardNumber,
      region: '110000',
      concessions: [...concessions],
      balanceFen: 5000,
    });
    const tap = tapInput({
      seq: i + 1,
      operatorId: 'bj-bus',
      deviceId: 'bus-52-v1',
      routeId: 'bus-52',
      cardToken: card.token,
    });
    await t.store.commit([planTap(card, tap, beijing, AT + 1000)]);
  }
});
afterAll(async () => t.close());

describe('concession subsidy', () => {
  it('is the same 150 fen in the figures, the records and the CSV export', async () => {
    const headers = await t.as('root');
    const stats = (await t.app.inject({ method: 'GET', url: `/v1/stats?${range}`, headers })).json();
    expect(stats.totals).toMatchObject({ rides: 3, chargedFen: 150, free: 1, subsidyFen: 150 });
    expect(
      Object.fromEntries(
        stats.byConcession.map((c: { concession: string; subsidyFen: number }) => [
          c.concession,
          c.subsidyFen,
        ]),
      ),
    ).toEqual({ senior_free: 100, student_quarter: 50, none: 0 });

    const records = (await t.app.inject({ method: 'GET', url: `/v1/records?${range}`, headers })).json()
      .items as LedgerRecord[];
    expect(records.map((r) => [r.concession, r.chargedFen, r.subsidyFen]).sort()).toEqual([
      ['none', 100, 0],
      ['senior_free', 0, 100],
      ['student_quarter', 50, 50],
    ]);

    const csv = (await t.app.inject({ method: 'GET', url: `/v1/records.csv?${range}`, headers })).body;
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    const column = header!.split(',').indexOf('subsidyFen');
    expect(column).toBeGreaterThan(-1);
    expect(rows.map((row) => Number(row.split(',')[column])).sort((a, b) => a - b)).toEqual([0, 50, 100]);
  });
});
