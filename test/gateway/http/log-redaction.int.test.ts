// What the request log keeps (decision 0156): at every level, a request line carries the path
// and the names of its query parameters, never their values; so a card number typed into a
// search (refused, but logged before the refusal) never reaches the log, nor does a bearer token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../../gateway/src/http/validation.js';
import { startTestHttp, type TestHttp } from './harness.js';

const NUMBER = 'A12345678';
const ID_NUMBER = '500228198001011230';
const lines: string[] = [];
let t: TestHttp;

beforeAll(async () => {
  t = await startTestHttp({ log: { level: 'debug', lines } });
});
afterAll(async () => t.close());

describe('the request log', () => {
  it('keeps the names of query parameters, not their values, nor a path segment shaped like a number', () => {
    expect(redactUrl('/v1/records?card=A12345678&limit=5')).toBe('/v1/records?card=…&limit=…');
    expect(redactUrl('/v1/records')).toBe('/v1/records');
    expect(redactUrl('/v1/cards/A12345678/records?x=1')).toBe('/v1/cards/…/records?x=…');
    expect(redactUrl('/v1/cards/0123abcd')).toBe('/v1/cards/0123abcd');
  });

  it('never holds a card or ID number sent in a URL, at debug level, refused or not', async () => {
    const auth = await t.as('root');
    for (const url of [
      `/v1/records?card=${NUMBER}`,
      `/v1/records?route=${ID_NUMBER}`,
      `/v1/records.csv?card=${NUMBER}`,
      `/v1/cards/${NUMBER}`,
      `/v1/no-such-route?card=${NUMBER}`,
    ]) {
      const r = await t.app.inject({ method: 'GET', url, headers: auth });
      expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
    }
    const log = lines.join('');
    expect(log).toContain('/v1/records?card=…'); // the requests were logged
    expect(log).not.toContain(NUMBER.slice(1));
    expect(log).not.toContain(ID_NUMBER);
    expect(log).not.toContain(auth.authorization!.slice(7));
  });
});
