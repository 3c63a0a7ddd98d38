// The operator console in a real browser (Debian's Chromium via playwright-core) against a
// real gateway process (SQLite store) and a real edge agent over Mosquitto: log in, watch a
// tap arrive live, find it by search, export CSV, top up the card, report it lost and see the
// next tap denied at the device. Screenshots of the main screens go to docs/screenshots/.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, uniqueId } from '../support/env.js';
import { TEST_PASSWORD } from '../support/operators.js';
import { launchBrowser } from './browser.js';
import {
  type AgentProc,
  api,
  type GatewayProc,
  startAgentProcess,
  startGatewayProcess,
  waitFor,
} from './harness.js';

const shots = join(testEnv.root, 'docs/screenshots');
const RIDER = 'C31000001';
const others = ['C31000002', 'C31000003', 'C31000004', 'C31000005'];
const OP = 'busco';
let dir: string;
let gw: GatewayProc;
let bus: AgentProc;
let busEpoch = '';
/** A record id of the bus: tap:<device>:<journal epoch>:<seq>. */
const busTap = (seq: number) => `tap:bus-7:${busEpoch}:${seq}`;
let library: AgentProc;
/** The shipped library (gateway/venues/beijing/library.json) and its operator's account. */
const LIBRARY = 'bj-library';
let browser: BrowserContext;
let page: Page;
let token: string;

async function shot(name: string, p: Page = page): Promise<void> {
  // Let the live view's fade-in finish so the picture shows the resting state.
  await p.waitForTimeout(1300);
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'onecard-console-'));
  gw = await startGatewayProcess(uniqueId('gw-console'), {
    ONECARD_STORE: 'sqlite',
    ONECARD_SQLITE_FILE: join(dir, 'gateway.db'),
    ONECARD_MQTT_URL: testEnv.mqttUrl(),
    ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
  });
  await api(gw.url, 'POST', '/v1/devices', {
    deviceId: 'bus-7',
    operatorId: OP,
    profile: 'bus_validator',
    routeId: '7',
  });
  // Registered but never seen: the fleet page must make it stand out.
  await api(gw.url, 'POST', '/v1/devices', {
    deviceId: 'bus-9',
    operatorId: OP,
    profile: 'bus_validator',
    routeId: '9',
  });
  token = (
    await api<{ token: string }>(gw.url, 'POST', '/v1/cards', {
      cardNumber: RIDER,
      region: '500228',
      balanceFen: 1000,
    })
  ).token;
  for (const [i, n] of others.entries())
    await api(gw.url, 'POST', '/v1/cards', {
      cardNumber: n,
      region: '500228',
      balanceFen: 5000,
      concessions: i === 0 ? ['SENIOR'] : i === 1 ? ['STUDENT'] : [],
    });
  bus = startAgentProcess({
    deviceId: 'bus-7',
    operatorId: OP,
    profile: 'bus_validator',
    location: { routeId: '7' },
    gatewayUrl: gw.url,
    journalFile: join(dir, 'bus-7.db'),
  });
  await waitFor('the device reports in', async () => {
    const { items } = await api<{ items: Array<{ deviceId: string; online: boolean }> }>(
      gw.url,
      'GET',
      '/v1/devices',
    );
    return items.find((d) => d.deviceId === 'bus-7')?.online;
  });
  // The bus's record ids carry its journal's epoch (docs/decisions/0175), drawn by the agent.
  const journal = new Database(join(dir, 'bus-7.db'), { readonly: true });
  busEpoch = journal.prepare('SELECT value FROM epoch').pluck().get() as string;
  journal.close();
  await api(gw.url, 'POST', '/v1/devices', {
    deviceId: 'lib-gate-1',
    operatorId: 'bj-libraries',
    profile: 'library_gate',
    venueId: LIBRARY,
  });
  library = startAgentProcess({
    deviceId: 'lib-gate-1',
    operatorId: 'bj-libraries',
    profile: 'library_gate',
    location: { venueId: LIBRARY },
    gatewayUrl: gw.url,
    journalFile: join(dir, 'lib-gate-1.db'),
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('dialog', (d) => void d.accept());
});

afterAll(async () => {
  await browser?.close();
  await bus?.kill();
  await library?.kill();
  await gw?.kill();
});

describe('operator console in Chromium', () => {
  it('logs in and refuses a wrong password', async () => {
    await page.goto(gw.url);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'wrong');
    await page.click('#login-form button');
    await expect.poll(() => page.textContent('#login-error')).toContain('错误');
    await page.fill('input[name=password]', TEST_PASSWORD);
    await shot('login');
    await page.click('#login-form button');
    await page.waitForSelector('nav a.on');
    expect(await page.textContent('#user')).toContain('admin');
  });

  it('shows a simulated tap live, with the aggregation said on screen', async () => {
    await page.goto(`${gw.url}/#live`);
    await page.waitForSelector('.badge.ok');
    expect(await page.textContent('[data-testid=live-note]')).toContain('服务器端汇总');
    bus.tap(RIDER);
    await page.waitForSelector(`[data-testid=live-table] tr[data-id="${busTap(1)}"]`);
    const row = await page.textContent(`[data-testid=live-table] tr[data-id="${busTap(1)}"]`);
    expect(row).toContain('C31****01');
    expect(row).toContain('2.00');
    // A few more riders so the screens show some traffic.
    for (let i = 0; i < 3; i++) bus.tap(...others);
    await waitFor('all taps decided', () => bus.decisions().length === 13);
    await page.waitForSelector(`[data-testid=live-table] tr[data-id="${busTap(13)}"]`);
    await shot('live');
  });

  it('finds the tap by card and exports the search as CSV', async () => {
    await page.goto(`${gw.url}/#records`);
    // The first page (every record) is there before searching, so a search is waited for by
    // its row count, not by a row the unfiltered page also shows.
    await page.waitForSelector(`[data-testid=records-table] tr[data-id="${busTap(13)}"]`);
    // The masked number as the console shows it (decision 0136).
    await page.fill('[data-testid=records-form] input[name=card]', 'C31****01');
    await page.click('[data-testid=records-form] button[type=submit]');
    await expect.poll(() => page.locator('[data-testid=records-table] tbody tr').count()).toBe(1);
    expect(await page.getAttribute('[data-testid=records-table] tbody tr', 'data-id')).toBe(busTap(1));
    await page.fill('[data-testid=records-form] input[name=card]', token);
    await page.fill('[data-testid=records-form] input[name=stop]', 'nowhere');
    await page.click('[data-testid=records-form] button[type=submit]');
    await expect.poll(() => page.textContent('[data-testid=records-table] tbody')).toContain('没有记录');
    await page.fill('[data-testid=records-form] input[name=stop]', '');
    await page.click('[data-testid=records-form] button[type=submit]');
    await page.waitForSelector(`[data-testid=records-table] tr[data-id="${busTap(1)}"]`);
    expect(await page.locator('[data-testid=records-table] tbody tr').count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=csv]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^at,kind,cardMasked,cardToken,operatorId,deviceId,routeId/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`ride,C31****01,${token},busco,bus-7,7,`);
    expect(csv).not.toContain(RIDER);
    await page.fill('[data-testid=records-form] input[name=card]', '');
    await page.click('[data-testid=records-form] button[type=submit]');
    await page.waitForSelector(`[data-testid=records-table] tr[data-id="${busTap(13)}"]`);
    await shot('records');
  });

  it('tops up the card, reports it lost, and the next tap is denied at the device', async () => {
    await page.goto(`${gw.url}/#cards`);
    await page.fill('[data-testid=card-find] input', RIDER);
    await page.click('[data-testid=card-find] button');
    await expect.poll(() => page.textContent('[data-testid=card-balance]')).toBe('8.00');
    await page.fill('input[name=amount]', '50');
    await page.click('[data-testid=topup]');
    await expect.poll(() => page.textContent('[data-testid=card-balance]')).toBe('58.00');
    await page.click('[data-testid=lost]');
    await expect.poll(() => page.textContent('[data-testid=card-status]')).toBe('已挂失');
    await shot('cards');

    // The deny list reaches the device over MQTT; its status then reports the new version.
    // Wait for the gateway's version as it stands after the report, not for "any version":
    // the device may already hold an earlier one, and then the tap would race the delta.
    type Fleet = { items: Array<{ deviceId: string; denyListVersion?: number }>; denyListVersion: number };
    const { denyListVersion: wanted } = await api<Fleet>(gw.url, 'GET', '/v1/devices');
    expect(wanted).toBeGreaterThanOrEqual(1);
    await waitFor(`the device holds deny list version ${wanted}`, async () => {
      const { items } = await api<Fleet>(gw.url, 'GET', '/v1/devices');
      return (items.find((d) => d.deviceId === 'bus-7')?.denyListVersion ?? 0) >= wanted;
    });
    await page.goto(`${gw.url}/#live`);
    await page.waitForSelector('.badge.ok');
    bus.tap(RIDER);
    await waitFor('the tap decided', () => bus.decisions().length === 14);
    expect(bus.decisions().at(-1)).toMatchObject({ decision: 'deny', reason: 'CARD_LOST' });
    await page.waitForSelector(`[data-testid=live-table] tr.deny[data-id="${busTap(14)}"]`);
    expect(await page.textContent(`tr[data-id="${busTap(14)}"]`)).toContain('CARD_LOST');
    await shot('live-denied');
  });

  it('draws ridership and revenue, and the device fleet', async () => {
    await page.goto(`${gw.url}/#stats`);
    await page.waitForSelector('[data-testid=stats-tiles]');
    // 14 taps: 13 allowed (1 senior free) and 1 denied.
    const tiles = await page.textContent('[data-testid=stats-tiles]');
    expect(tiles).toMatch(/乘次\s*14/);
    // The claim the page shows is the records' subsidy summed (docs/decisions/0162).
    const { items } = await api<{ items: Array<{ subsidyFen: number }> }>(
      gw.url,
      'GET',
      '/v1/records?limit=100',
    );
    const subsidy = items.reduce((sum, r) => sum + r.subsidyFen, 0);
    expect(subsidy).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid=stats-tiles] .tile:nth-child(5) .v')).toBe(
      (subsidy / 100).toFixed(2),
    );
    await shot('stats');
    await page.goto(`${gw.url}/#devices`);
    await page.waitForSelector('[data-testid=devices-table] tr[data-device="bus-7"]');
    // The silent device sorts first and is marked; the live one is not.
    expect(await page.getAttribute('[data-testid=devices-table] tbody tr:first-child', 'data-device')).toBe(
      'bus-9',
    );
    expect(await page.getAttribute('tr[data-device="bus-9"]', 'class')).toBe('behind');
    expect(await page.getAttribute('tr[data-device="bus-7"]', 'class')).toBe('');
    await shot('devices');
  });

  it('counts a real entry at the library gate on the Venues page, the warning share marked', async () => {
    await page.goto(`${gw.url}/#venues`);
    await page.waitForSelector('[data-testid=venue-inside]');
    await page.selectOption('select[name=venue]', LIBRARY);
    await expect.poll(() => page.textContent('[data-testid=venue-entries]')).toMatch(/0$/);
    library.tap(others[2]!);
    await waitFor('the entry decided', () => library.decisions().length === 1);
    expect(library.decisions()[0]).toMatchObject({ decision: 'allow' });
    await expect
      .poll(async () => {
        await page.click('[data-testid=venue-refresh]');
        return page.textContent('[data-testid=venue-entries]');
      })
      .toMatch(/1$/);
    expect(await page.textContent('[data-testid=venue-inside]')).toMatch(/1$/);
    // The hourly chart has a bar, and the instantaneous limit shows its warning line.
    expect(await page.locator('[data-testid=venue-day] svg.chart rect.bar').count()).toBeGreaterThan(0);
    expect(await page.locator('.meter-warn').count()).toBe(1);
    await shot('venues');
  });

  it('moves the Venues page on to the new day at a Beijing midnight, unless a person picked a day', async () => {
    // The page's own clock at 23:59:30 in Beijing (15:59:30 UTC); its refresh runs every 10 s.
    const open = async () => {
      const p = await browser.newPage();
      await p.clock.install({ time: new Date('2026-12-06T15:59:30Z') });
      await p.goto(`${gw.url}/#venues`);
      await p.waitForSelector('[data-testid=venue-inside]');
      await p.selectOption('select[name=venue]', LIBRARY);
      return p;
    };
    const following = await open();
    expect(await following.inputValue('input[name=day]')).toBe('2026-12-06');
    const picked = await open();
    await picked.fill('input[name=day]', '2026-12-01');
    await picked.dispatchEvent('input[name=day]', 'change');

    await following.clock.runFor(40_000);
    await picked.clock.runFor(40_000);
    expect(await following.inputValue('input[name=day]')).toBe('2026-12-07');
    expect(await picked.inputValue('input[name=day]')).toBe('2026-12-01');
    await following.close();
    await picked.close();
  });

  it('reads in English and fits a tablet', async () => {
    await page.click('#lang');
    await page.goto(`${gw.url}/#stats`);
    await page.waitForSelector('[data-testid=stats-tiles]');
    expect(await page.textContent('nav')).toContain('Ridership & revenue');
    const tablet = await browser.newPage();
    await tablet.setViewportSize({ width: 820, height: 1180 });
    await tablet.goto(`${gw.url}/#stats`);
    await tablet.waitForSelector('[data-testid=stats-tiles]');
    // Nothing sticks out sideways on a portrait tablet.
    expect(await tablet.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(820);
    await shot('tablet-stats', tablet);
    await tablet.close();
  });
});
