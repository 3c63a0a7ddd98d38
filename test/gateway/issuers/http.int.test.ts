// The outside-issuer port's contract (gateway/src/issuers/port.ts), run against the HTTP
// adapter talking to the fake issuer: a real server on 127.0.0.1 with latency and failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpOutsideIssuer } from '../../../gateway/src/issuers/http.js';
import { type OutsideIssuer, OutsideIssuerUnavailable } from '../../../gateway/src/issuers/port.js';
import { type FakeIssuer, startFakeIssuer } from '../../support/fake-issuer.js';

let fake: FakeIssuer;
let adapter: OutsideIssuer;
const req = (code: string) => ({ code, venueId: 'museum-1', deviceId: 'gate-1', atMs: Date.now() });
const within = (ms: number) => AbortSignal.timeout(ms);

beforeAll(async () => {
  fake = await startFakeIssuer({ latencyMs: 25, codes: { 'HSA:A': 'NAT0000001', 'HSA:B': null } });
  adapter = new HttpOutsideIssuer(fake.url);
});
afterAll(() => fake.close());

describe('outside issuer over HTTP', () => {
  it('resolves valid with the holder when the issuer discloses it, valid alone when not, invalid otherwise', async () => {
    expect(await adapter.check(req('HSA:A'), within(1000))).toEqual({
      valid: true,
      cardNumber: 'NAT0000001',
    });
    expect(await adapter.check(req('HSA:B'), within(1000))).toEqual({ valid: true });
    expect(await adapter.check(req('HSA:C'), within(1000))).toEqual({ valid: false });
    expect(fake.calls.at(-1)).toEqual({ code: 'HSA:C', venueId: 'museum-1' });
  });

  it.each(['http500', 'garbage', 'reset'] as const)(
    'rejects as unavailable when the issuer fails (%s)',
    async (how) => {
      fake.fail(1, how);
      await expect(adapter.check(req('HSA:A'), within(1000))).rejects.toBeInstanceOf(
        OutsideIssuerUnavailable,
      );
    },
  );

  // No timed assertion: the outcome proves the abort. A hanging issuer never answers, so without
  // it the call would never settle (the test's own timeout fails it); a slow one answers valid
  // after 2 s, so without it the call would resolve rather than reject.
  it('honours the abort signal when the issuer hangs or is slow', async () => {
    fake.fail(1, 'hang');
    await expect(adapter.check(req('HSA:A'), within(100))).rejects.toBeInstanceOf(OutsideIssuerUnavailable);
    fake.setLatency(2000);
    await expect(adapter.check(req('HSA:A'), within(100))).rejects.toBeInstanceOf(OutsideIssuerUnavailable);
    fake.setLatency(25);
  });

  it('rejects as unavailable when nothing listens', async () => {
    const gone = await startFakeIssuer();
    const url = gone.url;
    await gone.close();
    await expect(new HttpOutsideIssuer(url).check(req('HSA:A'), within(1000))).rejects.toBeInstanceOf(
      OutsideIssuerUnavailable,
    );
  });
});
