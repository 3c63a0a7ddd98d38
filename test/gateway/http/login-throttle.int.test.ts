// Failed logins are throttled per account and per client address (docs/decisions/0152): a
// flood gets 429 LOGIN_THROTTLED with Retry-After, the right password waits out the lockout
// too, lockouts double, and no flood of names or addresses grows the store past its cap.
// Real SQLite store, fastify inject; time comes from the auth context's clock, never a sleep.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAuthLimits } from '../../../gateway/src/auth/throttle.js';
import { PASSWORD, startTestHttp, type TestHttp } from './harness.js';

const T0 = 1_750_000_000_000;
let clock = T0;
let t: TestHttp;

afterEach(async () => t?.close());

async function start(opts: Parameters<typeof startTestHttp>[0] = {}) {
  clock = T0;
  t = await startTestHttp({ now: () => clock, ...opts });
  return t;
}

function login(username: string, password: string, from = '127.0.0.1', headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress: from,
    headers,
    payload: { username, password },
  });
}

async function statuses(n: number, attempt: (i: number) => ReturnType<typeof login>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await attempt(i)).statusCode);
  return out;
}

const countOf = (list: number[], status: number) => list.filter((s) => s === status).length;

describe('failed logins per account', () => {
  it('lock the account after 5: a flood of 200 gets 429 LOGIN_THROTTLED with Retry-After, from any address', async () => {
    await start();
    const answers = await statuses(200, (i) => login('root', `guess-${i}`));
    expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(countOf(answers, 429)).toBe(195);
    const r = await login('root', 'one more', '192.0.2.7');
    expect(r.statusCode).toBe(429);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.headers['retry-after']).toBe('30');
    expect(r.json()).toMatchObject({ status: 429, code: 'LOGIN_THROTTLED' });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/onecard_logins_total\{outcome="throttled"\} 196/);
    // The audit log has the five failures that locked the account, not the 196 refusals.
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit?limit=500',
      headers: await t.as('audrey'),
    });
    const rootLogins = audit.json().items.filter((e: { target: string }) => e.target === 'root');
    expect(rootLogins.map((e: { status: number }) => e.status)).toEqual([401, 401, 401, 401, 401]);
  });

  it('give a burst sent all at once no more password checks than one sent in a row', async () => {
    await start();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => login('root', `guess-${i}`)));
    const codes = answers.map((r) => r.statusCode);
    expect(countOf(codes, 401)).toBe(5);
    expect(countOf(codes, 429)).toBe(45);
  });

  it('refuse the right password during the lockout and accept it once the lockout ends', async () => {
    await start();
    await statuses(5, (i) => login('root', `guess-${i}`));
    clock += 29_001;
    const during = await login('root', PASSWORD);
    expect(during.statusCode).toBe(429);
    expect(during.headers['retry-after']).toBe('1');
    expect(during.json()).not.toHaveProperty('token');
    clock = T0 + 30_000;
    expect((await login('root', PASSWORD)).statusCode).toBe(200);
    // The right password cleared the account's count: 4 more failures do not lock it.
    expect(await statuses(4, (i) => login('root', `again-${i}`))).toEqual([401, 401, 401, 401]);
    expect((await login('root', PASSWORD)).statusCode).toBe(200);
  });

  it('lock for twice as long each further time, up to 15 minutes', async () => {
    await start();
    const waits: string[] = [];
    for (let lockout = 0; lockout < 7; lockout++) {
      // A new address each round: only the account's lockouts are measured.
      const from = `192.0.2.${lockout}`;
      await statuses(5, (i) => login('audrey', `guess-${i}`, from));
      const r = await login('audrey', PASSWORD, from);
      expect(r.statusCode).toBe(429);
      waits.push(String(r.headers['retry-after']));
      clock += Number(r.headers['retry-after']) * 1000;
    }
    expect(waits).toEqual(['30', '60', '120', '240', '480', '900', '900']);
  });

  it('count unknown names alike (a lockout tells nothing about which names exist)', async () => {
    await start();
    expect(await statuses(6, () => login('nobody', 'x'))).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('failed logins per address', () => {
  it('lock the address after 30 over any names: then a right password from it waits, from elsewhere works', async () => {
    await start();
    const answers = await statuses(31, (i) => login(`name-${i}`, 'x', '198.51.100.9'));
    expect(answers.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(answers[30]).toBe(429);
    expect((await login('root', PASSWORD, '198.51.100.9')).statusCode).toBe(429);
    expect((await login('root', PASSWORD, '198.51.100.10')).statusCode).toBe(200);
  });

  it('are not counted for right passwords: an office behind one address logs in as often as it needs', async () => {
    await start();
    const answers = await statuses(40, () => login('root', PASSWORD, '198.51.100.20'));
    expect(answers.every((s) => s === 200)).toBe(true);
  });

  it('are not evaded by a made-up X-Forwarded-For when no proxy is trusted', async () => {
    await start();
    const answers = await statuses(31, (i) =>
      login(`name-${i}`, 'x', '198.51.100.9', { 'x-forwarded-for': `203.0.113.${i}` }),
    );
    expect(answers[30]).toBe(429);
  });

  it('count the client behind a trusted proxy (ONECARD_TRUST_PROXY), not the proxy', async () => {
    await start({ trustProxy: '127.0.0.1' });
    await statuses(30, (i) => login(`name-${i}`, 'x', '127.0.0.1', { 'x-forwarded-for': '203.0.113.5' }));
    const other = await login('root', PASSWORD, '127.0.0.1', { 'x-forwarded-for': '203.0.113.6' });
    expect(other.statusCode).toBe(200);
    const same = await login('root', PASSWORD, '127.0.0.1', { 'x-forwarded-for': '203.0.113.5' });
    expect(same.statusCode).toBe(429);
  });
});

describe('the throttle records', () => {
  it('never pass their cap, however many names and addresses a flood brings', async () => {
    await start({ limits: { ...defaultAuthLimits, maxThrottled: 10 } });
    // Every attempt a new name from a new address: two new records each, 60 in all.
    await statuses(30, (i) => login(`flood-${i}`, 'x', `10.0.0.${i}`));
    expect((await t.store.auth.authSizes()).throttled).toBe(10);
  });

  it('keep a name that is no account out of the audit log, in clear (it may be an ID number)', async () => {
    await start();
    const idNumber = '11010519491231002X';
    // A name shaped like an ID number is refused before any check (decision 0156)...
    const refused = await login(idNumber, 'x');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('PERSONAL_DATA_IN_FIELD');
    // ...and any other name that is no account is kept as a hash.
    await login('no-such-operator', 'x');
    await login('no-such-operator', 'y');
    await login('root', 'wrong');
    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit?limit=10',
      headers: await t.as('audrey'),
    });
    const logins = audit.json().items.filter((e: { action: string }) => e.action === 'auth.login');
    expect(audit.body).not.toContain(idNumber);
    expect(audit.body).not.toContain('1101051949');
    // The same name gives the same hash, so guessing with it still shows as one pattern.
    const [, , second, first] = logins.map((e: { target: string }) => e.target);
    expect(first).toMatch(/^unknown:[A-Za-z0-9_-]{12}$/);
    expect(second).toBe(first);
    expect(logins[1]).toMatchObject({ target: 'root', status: 401, actor: 'unknown' });
  });
});
