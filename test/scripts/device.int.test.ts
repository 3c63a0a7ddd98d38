// The depot's device tool (scripts/device.ts) against a real gateway: enrol prints the device's
// settings once, rotate replaces the secret, retire ends it; the password comes on stdin.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/src/app.js';
import { testEnv, uniqueId } from '../support/env.js';
import { startTestGateway } from '../support/gateway.js';
import { TEST_PASSWORD } from '../support/operators.js';
import { publicKeyOf } from '../support/signing.js';

let gw: Gateway;
beforeAll(async () => {
  ({ gw } = await startTestGateway({ tokenKeyHex: '4d'.repeat(32) }));
});
afterAll(async () => gw?.stop());

/** Runs the tool with the admin's password on stdin: its stdout, or the error with stderr. */
function tool(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(testEnv.root, 'scripts/device.ts'), ...args],
      { env: { ...process.env, ONECARD_GATEWAY_URL: gw.url, ONECARD_OPERATOR_USERNAME: 'admin' } },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    );
    child.stdin!.end(`${TEST_PASSWORD}\n`);
  });
}

const resync = (credential: string) =>
  fetch(`${gw.url}/v1/lists/deny`, { headers: { authorization: `Device ${credential}` } }).then(
    (r) => r.status,
  );

describe('scripts/device.ts', () => {
  it('enrols, rotates and retires a device through the API', async () => {
    const id = uniqueId('bus');
    const enrolled = JSON.parse(await tool('enrol', id, 'op-cli', 'bus_validator', 'routeId=r1')) as Record<
      string,
      string
    >;
    expect(enrolled.ONECARD_EDGE_MQTT_USERNAME).toBe(id);
    expect(enrolled.ONECARD_EDGE_GATEWAY_CREDENTIAL).toMatch(new RegExp(`^${id}\\.[A-Za-z0-9_-]{43}$`));
    expect(await resync(enrolled.ONECARD_EDGE_GATEWAY_CREDENTIAL!)).toBe(200);
    expect(await tool('enrol', id, 'op-cli', 'bus_validator', 'routeId=r1')).toBe('');
    const rotated = JSON.parse(await tool('rotate', id)) as Record<string, string>;
    expect(await resync(enrolled.ONECARD_EDGE_GATEWAY_CREDENTIAL!)).toBe(401);
    expect(await resync(rotated.ONECARD_EDGE_GATEWAY_CREDENTIAL!)).toBe(200);
    expect(await tool('retire', id)).toMatch(/retired at/);
    expect(await resync(rotated.ONECARD_EDGE_GATEWAY_CREDENTIAL!)).toBe(401);
    await expect(tool('retire', id)).rejects.toThrow(/404 NOT_FOUND/);
  });

  it('prints the private key the gateway made, once, and none when the device brought its own', async () => {
    const made = JSON.parse(
      await tool('enrol', uniqueId('bus'), 'op-cli', 'bus_validator', 'routeId=r1'),
    ) as Record<string, string>;
    expect(made.ONECARD_EDGE_DEVICE_KEY).toMatch(/^[0-9a-f]{64}$/);
    const own = uniqueId('bus');
    const brought = JSON.parse(
      await tool('enrol', own, 'op-cli', 'bus_validator', 'routeId=r1', `publicKey=${publicKeyOf(own)}`),
    ) as Record<string, string>;
    expect(brought.ONECARD_EDGE_DEVICE_KEY).toBeUndefined();
    expect(Object.keys(brought)).toContain('ONECARD_EDGE_GATEWAY_CREDENTIAL');
  });
});
