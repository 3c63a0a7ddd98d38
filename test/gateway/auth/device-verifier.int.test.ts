// The device HTTP credential (`Device <id>.<secret>`) checked against the stored hash, with a
// bounded cache of recent successes (docs/decisions/0170): a rotation or retirement counts at
// the next request however recently the old secret was verified.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceVerifier } from '../../../gateway/src/auth/device-verifier.js';
import { hashSecret, newDeviceSecret } from '../../../gateway/src/broker/passwd.js';
import type { Store } from '../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';

let store: Store;
beforeEach(async () => {
  store = await openSqliteStore({ file: ':memory:' });
});
afterEach(async () => store.close());

async function enrolled(deviceId: string): Promise<string> {
  await store.upsertDevice({
    deviceId,
    operatorId: 'op',
    profile: 'bus_validator',
    routeId: 'r',
    stationId: '',
    venueId: '',
  });
  const secret = newDeviceSecret();
  await store.credentials.setSecret(deviceId, hashSecret(secret));
  return secret;
}

describe('DeviceVerifier', () => {
  it('names the device of a right secret, and nobody for a wrong, foreign or malformed one', async () => {
    const v = new DeviceVerifier(store.credentials);
    const a = await enrolled('bus-1.a');
    const b = await enrolled('bus-2');
    expect(await v.verify(`bus-1.a.${a}`)).toBe('bus-1.a');
    expect(await v.verify(`bus-1.a.${a}`)).toBe('bus-1.a'); // from the cache
    expect(await v.verify(`bus-1.a.${b}`)).toBeUndefined();
    expect(await v.verify(`bus-2.${a}`)).toBeUndefined();
    for (const bad of ['', 'nodot', 'bus-2.', `.${b}`, `ghost.${b}`, `bus-2.${'x'.repeat(3000)}`])
      expect(await v.verify(bad)).toBeUndefined();
  });

  it('refuses a secret verified a moment ago once it is rotated, or the device retired', async () => {
    const v = new DeviceVerifier(store.credentials);
    const old = await enrolled('bus-3');
    expect(await v.verify(`bus-3.${old}`)).toBe('bus-3');
    const fresh = newDeviceSecret();
    await store.credentials.setSecret('bus-3', hashSecret(fresh));
    expect(await v.verify(`bus-3.${old}`)).toBeUndefined();
    expect(await v.verify(`bus-3.${fresh}`)).toBe('bus-3');
    await store.credentials.retire('bus-3', 1);
    expect(await v.verify(`bus-3.${fresh}`)).toBeUndefined();
  });

  it('remembers at most its bound of devices', async () => {
    const v = new DeviceVerifier(store.credentials, 3);
    for (let i = 0; i < 6; i++) {
      const s = await enrolled(`d${i}`);
      expect(await v.verify(`d${i}.${s}`)).toBe(`d${i}`);
    }
    expect(v.size).toBe(3);
  });
});
