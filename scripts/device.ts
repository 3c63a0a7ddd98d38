// The depot's device tool (docs/decisions/0170): enrols, rotates and retires devices through
// the gateway's HTTP API, signed in as an operator (devices:write).
//   node --import tsx scripts/device.ts enrol  <deviceId> <operatorId> <profile> [routeId=.. stationId=.. venueId=..]
//   node --import tsx scripts/device.ts rotate <deviceId>
//   node --import tsx scripts/device.ts retire <deviceId>
// Environment: ONECARD_GATEWAY_URL (default http://127.0.0.1:8080), ONECARD_OPERATOR_USERNAME;
// the operator's password on standard input (never on the command line, which other users of
// the machine can see). enrol and rotate print the device's settings once, as JSON: its MQTT
// username and secret and ONECARD_EDGE_GATEWAY_CREDENTIAL; the gateway keeps a hash only, so
// put them on the device now (a lost secret is replaced by a rotation, never shown again).
// Enrol with publicKey=<64 hex> (edge-agent/src/main.ts --print-public-key on the device) so the
// private key never leaves it; without, the gateway makes a pair and enrol also prints
// ONECARD_EDGE_DEVICE_KEY, once.

const [command, deviceId, ...rest] = process.argv.slice(2);
const gateway = (process.env.ONECARD_GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const username = process.env.ONECARD_OPERATOR_USERNAME ?? '';

function usage(): never {
  console.error(
    'usage: device.ts enrol <deviceId> <operatorId> <profile> [key=value...] | rotate <deviceId> | retire <deviceId>\n' +
      '  (ONECARD_GATEWAY_URL, ONECARD_OPERATOR_USERNAME; the password on standard input)',
  );
  process.exit(2);
}

if (!command || !deviceId || !['enrol', 'rotate', 'retire'].includes(command) || !username) usage();

let password = '';
for await (const chunk of process.stdin) password += String(chunk);
password = password.replace(/\r?\n$/, '');

async function call(method: string, path: string, body?: unknown, authorization?: string) {
  const r = await fetch(`${gateway}${path}`, {
    method,
    headers: {
      ...(authorization ? { authorization } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const answer = (await r.json().catch(() => ({}))) as Record<string, unknown>;
  if (!r.ok) {
    // problem+json: the code and the message, never a stack
    console.error(
      `${method} ${path}: ${r.status} ${answer.code ?? ''} ${answer.detail ?? answer.title ?? ''}`,
    );
    process.exit(1);
  }
  return answer;
}

const login = await call('POST', '/v1/auth/login', { username, password, bearer: true });
const auth = `Bearer ${login.token as string}`;

/** The settings a device needs, printed once. */
function settings(a: Record<string, unknown>): string {
  return JSON.stringify(
    {
      deviceId,
      ONECARD_EDGE_DEVICE_ID: deviceId,
      ONECARD_EDGE_MQTT_USERNAME: a.mqttUsername,
      ONECARD_EDGE_GATEWAY_CREDENTIAL: a.credential,
      // Only when enrolled without publicKey=: the gateway made the pair and keeps only the
      // public half, so this answer is the one chance to put the private key on the device.
      ...(a.privateKey ? { ONECARD_EDGE_DEVICE_KEY: a.privateKey } : {}),
    },
    null,
    2,
  );
}

if (command === 'enrol') {
  const [operatorId, profile, ...fields] = rest;
  if (!operatorId || !profile) usage();
  const extra = Object.fromEntries(fields.map((f) => f.split(/=(.*)/s, 2) as [string, string]));
  const a = await call('POST', '/v1/devices', { deviceId, operatorId, profile, ...extra }, auth);
  if (!a.credential) {
    console.error(
      `${deviceId} was enrolled before: its registration is updated, its secret kept (rotate for a new one)`,
    );
    process.exit(0);
  }
  console.log(settings(a));
} else if (command === 'rotate') {
  console.log(
    settings(
      await call('POST', `/v1/devices/${encodeURIComponent(deviceId)}/credentials/rotate`, undefined, auth),
    ),
  );
} else {
  const a = await call('DELETE', `/v1/devices/${encodeURIComponent(deviceId)}`, undefined, auth);
  console.log(
    `${deviceId} retired at ${new Date(a.retiredAt as number).toISOString()}: broker access gone within seconds`,
  );
}
