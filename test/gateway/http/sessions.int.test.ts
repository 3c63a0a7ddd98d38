// Operator sessions end on the server (docs/decisions/0152): a logout revokes the token it was
// made with (Bearer or cookie) in the store every instance reads (contract-auth.ts), a password changed in the accounts file ends
// the sessions made with the old one, and a full revoked set ends the account's sessions
// rather than leave one working. The cookie is Secure when the request came over TLS, as a
// trusted proxy (ONECARD_TRUST_PROXY) reports it. Real SQLite store, fastify inject.
import { afterEach, describe, expect, it } from 'vitest';
import type { Account } from '../../../gateway/src/auth/accounts.js';
import { hashPassword } from '../../../gateway/src/auth/passwords.js';
import { defaultAuthLimits } from '../../../gateway/src/auth/throttle.js';
import { PASSWORD, startTestHttp, type TestHttp } from './harness.js';

let t: TestHttp;
afterEach(async () => t?.close());

async function bearer(username = 'root', password = PASSWORD): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { username, password, bearer: true },
  });
  expect(r.statusCode).toBe(200);
  return `Bearer ${r.json<{ token: string }>().token}`;
}

async function sessionCookie(username = 'root'): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { username, password: PASSWORD },
  });
  return String(r.headers['set-cookie']).split(';')[0]!;
}

const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/auth/me', headers });
const audit = (headers: Record<string, string>) =>
  t.app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers });
const logout = (headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers });

describe('logout', () => {
  it('revokes the Bearer token it was sent with: 401 on every route after, other sessions unharmed', async () => {
    t = await startTestHttp();
    const [a, b] = [await bearer(), await bearer()];
    expect((await audit({ authorization: a })).statusCode).toBe(200);
    expect((await logout({ authorization: a })).json()).toEqual({ ok: true });
    for (const r of [await me({ authorization: a }), await audit({ authorization: a })]) {
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    expect((await audit({ authorization: b })).statusCode).toBe(200);
    const last = (await audit({ authorization: b })).json().items[0];
    expect(last).toMatchObject({ action: 'auth.logout', actor: 'root', status: 200 });
  });

  it('revokes the cookie session even when the browser keeps sending the cookie', async () => {
    t = await startTestHttp();
    const cookie = await sessionCookie();
    expect((await me({ cookie })).statusCode).toBe(200);
    const out = await logout({ cookie });
    expect(String(out.headers['set-cookie'])).toMatch(/^oc_session=; .*Max-Age=0/);
    expect((await me({ cookie })).statusCode).toBe(401);
    // As the console sends it: a JSON body.
    const again = await sessionCookie();
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { cookie: again, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect((await me({ cookie: again })).statusCode).toBe(401);
  });

  it('ends every session of the account once the revoked set is full (never leaves one working)', async () => {
    t = await startTestHttp({ limits: { ...defaultAuthLimits, maxRevoked: 2 } });
    const [a, b, c, d] = [await bearer(), await bearer(), await bearer(), await bearer()];
    const other = await bearer('audrey');
    for (const s of [a, b, c]) await logout({ authorization: s });
    expect((await t.store.auth.authSizes()).revoked).toBe(2);
    for (const s of [a, b, c, d]) expect((await me({ authorization: s })).statusCode).toBe(401);
    expect((await me({ authorization: other })).statusCode).toBe(200);
    expect((await me({ authorization: await bearer() })).statusCode).toBe(200);
  });
});

describe('a changed password', () => {
  it('ends the sessions made with the old one (the accounts file changed, the gateway restarted)', async () => {
    const accounts = new Map<string, Account>([
      ['root', { username: 'root', role: 'admin', tenant: '', passwordHash: await hashPassword(PASSWORD) }],
    ]);
    t = await startTestHttp({ accountsTable: accounts });
    const old = await bearer();
    expect((await me({ authorization: old })).statusCode).toBe(200);
    accounts.set('root', { ...accounts.get('root')!, passwordHash: await hashPassword('a new password') });
    expect((await me({ authorization: old })).statusCode).toBe(401);
    expect((await me({ authorization: await bearer('root', 'a new password') })).statusCode).toBe(200);
  });
});

describe('the session cookie', () => {
  const cases: Array<{ trustProxy: string; proto?: string; secure: boolean; why: string }> = [
    { trustProxy: '', proto: 'https', secure: false, why: 'no proxy trusted: the header is anyone’s' },
    { trustProxy: '127.0.0.1', proto: 'https', secure: true, why: 'the trusted proxy saw TLS' },
    { trustProxy: 'loopback', proto: 'https', secure: true, why: 'trusted by name' },
    { trustProxy: '127.0.0.1', proto: 'http', secure: false, why: 'the trusted proxy saw plain HTTP' },
    { trustProxy: '127.0.0.1', secure: false, why: 'no header: the connection itself is plain' },
    { trustProxy: '10.0.0.0/8', proto: 'https', secure: false, why: 'the peer is not the trusted proxy' },
  ];
  for (const c of cases)
    it(`is ${c.secure ? '' : 'not '}Secure with trustProxy '${c.trustProxy}' and X-Forwarded-Proto ${c.proto ?? '(none)'}: ${c.why}`, async () => {
      t = await startTestHttp({ trustProxy: c.trustProxy });
      const headers = c.proto ? { 'x-forwarded-proto': c.proto } : {};
      const login = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        remoteAddress: '127.0.0.1',
        headers,
        payload: { username: 'root', password: PASSWORD },
      });
      const out = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/logout',
        remoteAddress: '127.0.0.1',
        headers,
      });
      for (const setCookie of [login.headers['set-cookie'], out.headers['set-cookie']])
        expect(/; Secure(;|$)/.test(String(setCookie))).toBe(c.secure);
    });
});
