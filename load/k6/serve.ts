// The gateway the k6 runs hit (scripts/k6.sh starts it): SQLite store, embedded MQTT broker,
// a month of one bus company's rides, operator accounts with fresh random passwords. Writes
// .run/k6/env.json with Bearer tokens per role and some cards for the scripts to use.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGateway } from '../../gateway/src/app.js';
import { hashPassword } from '../../gateway/src/auth/passwords.js';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { seedMonth } from '../seed-month.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const httpPort = Number(arg('--port', '18480'));
const mqttPort = Number(arg('--mqtt-port', '18481'));
const ridesPerDay = Number(process.env.ONECARD_K6_RIDES_PER_DAY ?? 10_000);
const dir = join(import.meta.dirname, '../../.run/k6');
rmSync(join(dir, 'env.json'), { force: true });
rmSync(join(dir, 'gateway.db'), { force: true });
mkdirSync(dir, { recursive: true });
const tokenKeyHex = randomBytes(32).toString('hex');
const password = randomBytes(12).toString('base64url');
const accounts = [
  { username: 'admin', role: 'admin', tenant: '' },
  { username: 'counter', role: 'card_service', tenant: '' },
  { username: 'busco', role: 'transit_operator', tenant: 'busco' },
  { username: 'ecard', role: 'ecard_app', tenant: '' },
];
const passwordHash = await hashPassword(password);
writeFileSync(
  join(dir, 'operators.json'),
  JSON.stringify({ accounts: accounts.map((a) => ({ ...a, passwordHash })) }),
);

const gw = await startGateway(
  loadGatewayConfig(
    {},
    {
      instanceId: 'k6-gateway',
      store: 'sqlite',
      sqliteFile: join(dir, 'gateway.db'),
      embeddedBrokerPort: mqttPort,
      mqttProtocolVersion: 4,
      mqttShareGroup: '',
      httpHost: '127.0.0.1',
      httpPort,
      tokenKeyHex,
      logLevel: 'warn',
      operatorsFile: join(dir, 'operators.json'),
      qrSigningKeys: `1:${randomBytes(32).toString('hex')}`,
      // topups.js measures the counter's top-up path, not the account's daily sum (0151).
      counterTopupDailyFen: 1_000_000_000,
    },
  ),
);
const now = Date.now();
const seeded = await seedMonth(gw.store, {
  operatorId: 'busco',
  tokenKey: Buffer.from(tokenKeyHex, 'hex'),
  days: 30,
  ridesPerDay,
  cards: 5_000,
  lines: 24,
  now,
  onProgress: (done, total) => process.stdout.write(`seeded ${done}/${total}\n`),
});
const bearer: Record<string, string> = {};
for (const a of accounts) {
  const r = await fetch(`${gw.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: a.username, password, bearer: true }),
  });
  bearer[a.username] = `Bearer ${((await r.json()) as { token: string }).token}`;
}
writeFileSync(
  join(dir, 'env.json'),
  JSON.stringify({
    bearer,
    operator: 'busco',
    lines: seeded.devices.map((_, i) => String(i + 1)),
    cardTokens: seeded.tokens.slice(0, 1000),
    cardNumbers: seeded.cardNumbers.slice(0, 1000),
    monthFrom: now - 30 * 86_400_000,
    // An e-card app's Ed25519 public key (raw 32 bytes, base64url) for credential requests.
    appPublicKey: generateKeyPairSync('ed25519')
      .publicKey.export({ format: 'der', type: 'spki' })
      .subarray(-32)
      .toString('base64url'),
    venue: 'museum-1',
    now,
  }),
);
process.stdout.write(`ready: ${gw.url}\n`);
const stop = async () => {
  await gw.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
