// The gateway the k6 runs hit (scripts/k6.sh and test/e2e/k6-smoke.test.ts start it): SQLite
// store, embedded MQTT broker, a month of one bus company's rides and a little of a second one
// (so a tenant account has someone else's data to be refused), operator accounts with fresh
// random passwords, fresh random keys. Writes <dir>/env.json with the gateway's URL, Bearer
// tokens per role, one tenant login and some cards, for the scripts to use.
//   node --import tsx load/k6/serve.ts [--dir D] [--port P] [--mqtt-port P] [--days N]
//                                      [--rides-per-day N] [--cards N]
// --port 0 takes a free port (env.json's baseUrl names it); the smoke test seeds a few days.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startGateway } from '../../gateway/src/app.js';
import { hashPassword } from '../../gateway/src/auth/passwords.js';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { startSimulator } from '../../test/support/payment-simulator.js';
import { seedMonth } from '../seed-month.js';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: join(import.meta.dirname, '../../.run/k6') },
    port: { type: 'string', default: '18480' },
    'mqtt-port': { type: 'string', default: '18481' },
    days: { type: 'string', default: '30' },
    'rides-per-day': { type: 'string', default: process.env.ONECARD_K6_RIDES_PER_DAY ?? '10000' },
    cards: { type: 'string', default: '5000' },
  },
});
const num = (name: keyof typeof args, min: number) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name}: "${args[name]}" is not a whole number ≥ ${min}`);
  return n;
};
const httpPort = num('port', 0);
// The embedded broker runs only on a port above 0 (0 in the config means "no embedded broker").
const mqttPort = num('mqtt-port', 1);
const days = num('days', 1);
const ridesPerDay = num('rides-per-day', 1);
const cards = num('cards', 1);
const dir = resolve(args.dir);
rmSync(join(dir, 'env.json'), { force: true });
rmSync(join(dir, 'gateway.db'), { force: true });
mkdirSync(dir, { recursive: true });

// Synthetic cards on a gateway that lives for one run: every key is fresh and random, as in
// scripts/demo.ts. No device takes part, so nobody needs the list key's public half.
const tokenKeyHex = randomBytes(32).toString('hex');
const password = randomBytes(12).toString('base64url');
const operator = 'busco';
const otherOperator = 'coachco';
const accounts = [
  { username: 'admin', role: 'admin', tenant: '' },
  { username: 'counter', role: 'card_service', tenant: '' },
  { username: 'busco', role: 'transit_operator', tenant: operator },
  { username: 'coachco', role: 'transit_operator', tenant: otherOperator },
  { username: 'ecard', role: 'ecard_app', tenant: '' },
];
const passwordHash = await hashPassword(password);
writeFileSync(
  join(dir, 'operators.json'),
  JSON.stringify({ accounts: accounts.map((a) => ({ ...a, passwordHash })) }),
);

// The payment provider for paid-topups.js: the simulator process (docs/decisions/0150).
const provider = await startSimulator({}, join(import.meta.dirname, '../..'));
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
      listSigningKeyHex: randomBytes(32).toString('hex'),
      listKeyId: 'k6',
      logLevel: 'warn',
      operatorsFile: join(dir, 'operators.json'),
      qrSigningKeys: `1:${randomBytes(32).toString('hex')}`,
      // topups.js measures the counter's top-up path, not the account's daily sum (0151).
      counterTopupDailyFen: 1_000_000_000,
      paymentProviderUrl: provider.url,
      paymentProviderPublicKeyHex: provider.publicKeyHex,
      // paid-topups.js tops up random seeded cards many times a run.
      topupMaxDailyFen: 1_000_000_000,
      topupMaxBalanceFen: 2_000_000_000, // the seeded cards hold 1e9 fen (load/seed-month.ts)
    },
  ),
);
const now = Date.now();
const tokenKey = Buffer.from(tokenKeyHex, 'hex');
const seeded = await seedMonth(gw.store, {
  operatorId: operator,
  tokenKey,
  days,
  ridesPerDay,
  cards,
  lines: 24,
  now,
  onProgress: (done, total) => process.stdout.write(`seeded ${operator} ${done}/${total}\n`),
});
// The second company: a tenth of the rides on four lines, by some of the same riders.
await seedMonth(gw.store, {
  operatorId: otherOperator,
  tokenKey,
  days,
  ridesPerDay: Math.max(1, Math.round(ridesPerDay / 10)),
  cards: Math.min(cards, 500),
  lines: 4,
  now,
  onProgress: (done, total) => process.stdout.write(`seeded ${otherOperator} ${done}/${total}\n`),
});
const bearer: Record<string, string> = {};
for (const a of accounts) {
  const r = await fetch(`${gw.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: a.username, password, bearer: true }),
  });
  if (r.status !== 200) throw new Error(`login ${a.username}: ${r.status} ${await r.text()}`);
  bearer[a.username] = `Bearer ${((await r.json()) as { token: string }).token}`;
}
// Written whole and renamed into place: whoever waits for the file never reads half of it.
writeFileSync(
  join(dir, 'env.json.tmp'),
  JSON.stringify({
    baseUrl: gw.url,
    bearer,
    operator,
    otherOperator,
    // tenant.js logs in itself (the login path is part of what it measures). The password is
    // random for this run only, like the tokens above, and the file stays under .run/.
    tenantLogin: { username: 'busco', password },
    lines: seeded.devices.map((_, i) => String(i + 1)),
    cardTokens: seeded.tokens.slice(0, 1000),
    cardNumbers: seeded.cardNumbers.slice(0, 1000),
    monthFrom: now - days * 86_400_000,
    // An e-card app's Ed25519 public key (raw 32 bytes, base64url) for credential requests.
    appPublicKey: generateKeyPairSync('ed25519')
      .publicKey.export({ format: 'der', type: 'spki' })
      .subarray(-32)
      .toString('base64url'),
    venue: 'museum-1',
    paymentProviderUrl: provider.url,
    now,
  }),
);
renameSync(join(dir, 'env.json.tmp'), join(dir, 'env.json'));
process.stdout.write(`ready: ${gw.url}\n`);
const stop = async () => {
  await gw.stop();
  await provider.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
