// No secret in the logs (docs/decisions/0170): a real gateway process, its MQTT password given
// the old way inside the broker URL, logging at debug while a device is enrolled, rotated and
// resyncs its lists. Neither the gateway's password nor any device secret (or its hash) may
// appear in anything it prints.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort, type Proc, startProcess, waitFor } from '../e2e/harness.js';
import { testEnv, uniqueId } from '../support/env.js';
import { LIST_KEY_ID, LIST_SEED_HEX } from '../support/lists.js';
import { gatewayBrokerConfig, removeRegistryPart, serviceUser } from '../support/mqtt.js';
import { bearerFor, writeOperatorsFile } from '../support/operators.js';

const user = serviceUser('gwlog');
const part = uniqueId('reg');
let proc: Proc | undefined;

afterAll(async () => {
  await proc?.kill('SIGTERM');
  user.remove();
  removeRegistryPart(part);
});

it('prints no MQTT password, device secret or secret hash, whatever it logs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-logs-'));
  const port = await freePort();
  const broker = gatewayBrokerConfig(user, part);
  const url = new URL(testEnv.mqttUrl());
  url.username = user.username;
  url.password = user.password;
  proc = startProcess('gw-logs', 'gateway/src/main.ts', {
    ONECARD_INSTANCE_ID: user.username,
    ONECARD_HTTP_PORT: String(port),
    ONECARD_STORE: 'sqlite',
    ONECARD_SQLITE_FILE: join(dir, 'gw.db'),
    ONECARD_TOKEN_KEY: 'ab'.repeat(32),
    ONECARD_LIST_SIGNING_KEY: LIST_SEED_HEX,
    ONECARD_LIST_KEY_ID: LIST_KEY_ID,
    ONECARD_LOG_LEVEL: 'debug',
    ONECARD_OPERATORS_FILE: await writeOperatorsFile(dir),
    ONECARD_MQTT_URL: url.toString(),
    ONECARD_MQTT_SHARE_GROUP: uniqueId('g'),
    ONECARD_BROKER_PASSWORD_FILE: broker.brokerPasswordFile!,
    ONECARD_BROKER_ACL_FILE: broker.brokerAclFile!,
    ONECARD_BROKER_PID_FILE: broker.brokerPidFile!,
    ONECARD_BROKER_PASSWORD_PART: part,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'gateway ready',
    async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200,
  );
  const admin = await bearerFor(base, 'admin');
  const headers = { authorization: admin, 'content-type': 'application/json' };
  const deviceId = uniqueId('bus');
  const enrolled = (await (
    await fetch(`${base}/v1/devices`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ deviceId, operatorId: 'op-logs', profile: 'bus_validator', routeId: 'r1' }),
    })
  ).json()) as { secret: string; credential: string };
  const rotated = (await (
    await fetch(`${base}/v1/devices/${deviceId}/credentials/rotate`, {
      method: 'POST',
      headers: { authorization: admin },
    })
  ).json()) as { secret: string; credential: string };
  for (const credential of [enrolled.credential, rotated.credential])
    await fetch(`${base}/v1/lists/deny`, { headers: { authorization: `Device ${credential}` } });
  // The rotation reached the password file: the registry sync ran (and logged) meanwhile.
  await waitFor('the password file part', async () =>
    proc!.lines.some((l) => l.includes('password file part')),
  );
  await proc.kill('SIGTERM');

  const printed = [...proc.lines, ...proc.errLines].join('\n');
  expect(printed).toContain('gateway started');
  for (const secret of [user.password, enrolled.secret, rotated.secret, encodeURIComponent(user.password)])
    expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/\$7\$/);
  expect(printed).toMatch(/"mqtt":"mqtt:\/\/\*\*\*@127\.0\.0\.1/);
});
