// The device key at enrolment (docs/decisions/0173): POST /v1/devices takes the device's own
// Ed25519 public key, or makes a pair and answers the private key once; the gateway keeps
// only the public key, shows it in the fleet, and keeps it when a device is re-registered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devicePublicKeyHex } from '../../../core/device-keys.js';
import { isIdNumberChecksumValid } from '../../../core/pii.js';
import { uniqueId } from '../../support/env.js';
import { publicKeyOf } from '../../support/signing.js';
import { startTestHttp, type TestHttp } from './harness.js';

let t: TestHttp;

beforeAll(async () => {
  t = await startTestHttp();
});
afterAll(async () => t.close());

async function register(body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/devices',
    headers: await t.as('root'),
    payload: { operatorId: 'busco', profile: 'bus_validator', routeId: 'r1', ...body },
  });
}

async function fleetEntry(deviceId: string): Promise<Record<string, unknown> | undefined> {
  const r = await t.app.inject({ method: 'GET', url: '/v1/devices', headers: await t.as('root') });
  return r.json().items.find((d: { deviceId: string }) => d.deviceId === deviceId);
}

/**
 * A public key (64 hex) whose digits read as an ID number (18 digits, a valid check digit):
 * 26 of 200,000 random keys hold one, and enrolment refused them as personal data. (Since
 * decision 0237 no run of 32 hex is read as one anywhere; the field was exempt before that.)
 */
function keyWithIdDigits(): string {
  for (let n = 0; n < 10_000; n++) {
    const digits = `11010519491231${String(n).padStart(4, '0')}`;
    if (isIdNumberChecksumValid(digits)) return `${'ab'.repeat(11)}${digits}${'cd'.repeat(12)}`;
  }
  throw new Error('no four digits give a valid check digit');
}

describe('device keys at enrolment', () => {
  it('takes a public key whose digits happen to read as an ID number (it is a key, not free text)', async () => {
    const deviceId = uniqueId('bus');
    const key = keyWithIdDigits();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const r = await register({ deviceId, publicKey: key });
    expect(r.statusCode).toBe(201);
    expect((await t.store.getDevice(deviceId))?.publicKey).toBe(key);
    // Every other field is still checked: the same digits in the device id are refused.
    const bad = await register({ deviceId: `bus-${key.slice(22, 40)}`, publicKey: key });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('PERSONAL_DATA_IN_FIELD');
  });

  it('keeps the public key a device brings and answers no private key', async () => {
    const deviceId = uniqueId('bus');
    const r = await register({ deviceId, publicKey: publicKeyOf(deviceId) });
    expect(r.statusCode).toBe(201);
    expect(r.json().publicKey).toBe(publicKeyOf(deviceId));
    expect(r.json()).not.toHaveProperty('privateKey');
    expect((await t.store.getDevice(deviceId))?.publicKey).toBe(publicKeyOf(deviceId));
    expect((await fleetEntry(deviceId))?.publicKey).toBe(publicKeyOf(deviceId));
  });

  it('makes a pair for a device without one, answers the private key once and stores only the public key', async () => {
    const deviceId = uniqueId('bus');
    const r = await register({ deviceId });
    expect(r.statusCode).toBe(201);
    const { privateKey, publicKey } = r.json() as { privateKey: string; publicKey: string };
    expect(privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(devicePublicKeyHex(privateKey)).toBe(publicKey);
    expect(await t.store.getDevice(deviceId)).toMatchObject({ publicKey });
    expect(JSON.stringify(await t.store.listDevices())).not.toContain(privateKey);
    expect(JSON.stringify(await fleetEntry(deviceId))).not.toContain(privateKey);

    // Moving the device keeps its key: no new pair, no private key answered again.
    const again = await register({ deviceId, routeId: 'r2' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).not.toHaveProperty('privateKey');
    expect(await t.store.getDevice(deviceId)).toMatchObject({ routeId: 'r2', publicKey });
  });

  it('replaces the key when the device brings a new one', async () => {
    const deviceId = uniqueId('bus');
    await register({ deviceId });
    const r = await register({ deviceId, publicKey: publicKeyOf(deviceId) });
    expect(r.statusCode).toBe(201);
    expect((await t.store.getDevice(deviceId))?.publicKey).toBe(publicKeyOf(deviceId));
  });

  it('refuses a public key of the wrong form and registers nothing', async () => {
    const deviceId = uniqueId('bus');
    for (const publicKey of ['ab'.repeat(31), 'AB'.repeat(32), `04${'ab'.repeat(32)}`]) {
      const r = await register({ deviceId, publicKey });
      expect(r.statusCode).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().code).toBe('BAD_REQUEST');
    }
    expect(await t.store.getDevice(deviceId)).toBeUndefined();
  });
});
