// Malformed cookies, tokens and device credentials are no credential: every guard (operator,
// holder, device, and /v1/auth/me) answers 401 problem+json, never a 500. The forged tokens
// carry a right MAC (signed with the test key), so what is checked is the claims' shape, not
// only the signature. Real SQLite store, fastify inject.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKeys } from '../../../gateway/src/auth/tokens.js';
import { startTestHttp, type TestHttp, TOKEN_KEY } from './harness.js';

let t: TestHttp;
const key = deriveKeys(TOKEN_KEY).session;
const FUTURE = 4_000_000_000_000;
const CARD = 'ab'.repeat(16);

beforeAll(async () => {
  t = await startTestHttp();
});
afterAll(async () => t.close());

/** A token of our form with a right MAC over whatever body text is given. */
function signed(kind: string, body: string): string {
  const b64 = Buffer.from(body).toString('base64url');
  return `${kind}.${b64}.${createHmac('sha256', key).update(`${kind}.${b64}`).digest('base64url')}`;
}

const op = (claims: object) => signed('op', JSON.stringify(claims));
const holder = (claims: object) => signed('holder', JSON.stringify(claims));
const goodOp = { u: 'root', r: 'admin', t: '', j: 'x', g: 0, exp: FUTURE };

/** Token texts that must be refused; each goes as a Bearer token and as the session cookie. */
const tokens: Array<[string, string]> = [
  ['empty', ''],
  ['no dots', 'garbage'],
  ['only dots', '..'],
  ['bad base64 body', 'op.!!!*.AAAA'],
  ['bad base64 MAC', `op.${Buffer.from('{}').toString('base64url')}.%%%`],
  ['kilobytes', `op.${'A'.repeat(20_000)}.x`],
  ['body not JSON', signed('op', 'not json')],
  ['body a number', signed('op', '5')],
  ['body null', signed('op', 'null')],
  ['body an array', signed('op', '[1,2]')],
  ['body a string', signed('op', '"root"')],
  ['exp a string', op({ ...goodOp, exp: String(FUTURE) })],
  ['exp missing', op({ u: 'root', r: 'admin', t: '', j: 'x', g: 0 })],
  ['exp infinite', signed('op', `{"u":"root","r":"admin","t":"","j":"x","g":0,"exp":1e400}`)],
  ['user a number', op({ ...goodOp, u: 7 })],
  ['no session id', op({ ...goodOp, j: undefined })],
  ['epoch a string', op({ ...goodOp, g: '0' })],
  ['no password fingerprint', op(goodOp)],
  ['holder: card not a token', holder({ c: '../../etc', g: 0, exp: FUTURE })],
  ['holder: card a number', holder({ c: 5, g: 0, exp: FUTURE })],
  ['holder: no epoch', holder({ c: CARD, exp: FUTURE })],
  ['holder: epoch a string', holder({ c: CARD, g: '0', exp: FUTURE })],
  ['holder: kind op', signed('op', JSON.stringify({ c: CARD, g: 0, exp: FUTURE }))],
];

/** Raw Cookie header values (not a token's text: what the header itself may hold). */
const cookies: Array<[string, string]> = [
  ['a lone %', 'oc_session=%'],
  ['a cut UTF-8 escape', 'oc_session=%E0%A4%A'],
  ['a bad escape', 'oc_session=%zz'],
  ['no value', 'oc_session='],
  ['no =', 'oc_session'],
  ['kilobytes of escapes', `oc_session=${'%41'.repeat(8_000)}`],
  ['twice, first malformed', 'oc_session=%; oc_session=op.x.y'],
];

const deviceCredentials: Array<[string, string]> = [
  ['a lone %', 'Device %'],
  ['no dot', 'Device nodot'],
  ['only a MAC', 'Device .abc'],
  ['kilobytes', `Device bus-1.${'a'.repeat(20_000)}`],
  ['empty', 'Device '],
];

const routes: Array<['GET' | 'POST', string]> = [
  ['GET', '/v1/auth/me'],
  ['GET', '/v1/audit'],
  ['POST', `/v1/cards/${CARD}/lost`],
  ['GET', '/v1/holder/card'],
  ['POST', '/v1/holder/lost'],
  ['GET', '/v1/lists/deny'],
];

async function expect401(method: 'GET' | 'POST', url: string, headers: Record<string, string>) {
  const r = await t.app.inject({
    method,
    url,
    headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { payload: '{}' } : {}),
  });
  expect({ url, status: r.statusCode }).toEqual({ url, status: 401 });
  expect(r.headers['content-type']).toContain('application/problem+json');
  expect(r.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
}

describe('a malformed credential is answered 401 on every guard', () => {
  for (const [name, token] of tokens)
    it(`token: ${name}`, async () => {
      for (const [method, url] of routes) {
        await expect401(method, url, { authorization: `Bearer ${token}` });
        await expect401(method, url, { cookie: `oc_session=${encodeURIComponent(token)}` });
      }
    });

  for (const [name, header] of cookies)
    it(`cookie: ${name}`, async () => {
      for (const [method, url] of routes) await expect401(method, url, { cookie: header });
    });

  for (const [name, header] of deviceCredentials)
    it(`device credential: ${name}`, async () => {
      for (const [method, url] of routes) await expect401(method, url, { authorization: header });
    });

  it('and logout with any of them is a plain, harmless ok', async () => {
    for (const [, header] of cookies) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: header } });
      expect(r.statusCode).toBe(200);
    }
  });
});
