// The one-command demo (npm run demo): the gateway with its embedded MQTT broker (aedes), the
// SQLite store and the Beijing tariff; seven devices, one of each kind (a bus validator, metro
// entry and exit gates, a station ID-check gate, a library gate, a museum gate, a scenic-area
// turnstile) running the real edge agent with SQLite journals;
// riders on plausible journeys (scripts/demo/riders.ts). Half-way it reports one card lost:
// watch that card's next taps be denied at the devices. One holder rides with the e-card app
// instead (test/support/app.ts): its QR codes are verified offline.
// Options: --seconds N (stop after N seconds; default: run until Ctrl-C).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localDay, localMinute } from '../core/time.js';
import { type Agent, loadEdgeConfig, startAgent } from '../edge-agent/src/index.js';
import { ManualReader, syntheticCardNumber } from '../edge-agent/src/reader/simulated.js';
import { startGateway } from '../gateway/src/app.js';
import { hashPassword } from '../gateway/src/auth/passwords.js';
import { loadGatewayConfig } from '../gateway/src/config.js';
import { ListSigner } from '../gateway/src/lists/signer.js';
import { ReferenceApp } from '../test/support/app.js';
import { startSimulator } from '../test/support/payment-simulator.js';
import { paidTopUp } from './demo/paid-topup.js';
import { Riders, type Stop } from './demo/riders.js';

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 0;
const httpPort = Number(process.env.ONECARD_DEMO_HTTP_PORT ?? 8080);
const mqttPort = Number(process.env.ONECARD_DEMO_MQTT_PORT ?? 18831);
const dir = process.env.ONECARD_DEMO_DIR ?? join(import.meta.dirname, '..', '.run', 'demo');
// A fresh demo every run; the key is random because these are synthetic cards.
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const tokenKeyHex = randomBytes(32).toString('hex');
// The gateway signs the devices' lists with this key; the devices trust its public half.
const listSigningKeyHex = randomBytes(32).toString('hex');
const listPublicKeyHex = new ListSigner(listSigningKeyHex, 'demo').publicKeyHex();
// Demo logins with fresh random passwords, printed below. A real deployment writes this file
// with scripts/operator-account.ts and keeps it with its other secrets (docs/decisions/0130).
const logins = [
  { username: 'admin', role: 'admin', tenant: '' },
  { username: 'bus', role: 'transit_operator', tenant: 'bj-bus' },
  { username: 'metro', role: 'transit_operator', tenant: 'bj-metro' },
  { username: 'counter', role: 'card_service', tenant: '' },
  { username: 'auditor', role: 'auditor', tenant: '' },
].map((l) => ({ ...l, password: randomBytes(6).toString('base64url') }));
const operatorsFile = join(dir, 'operators.json');
writeFileSync(
  operatorsFile,
  JSON.stringify({
    accounts: await Promise.all(
      logins.map(async ({ password, ...a }) => ({ ...a, passwordHash: await hashPassword(password) })),
    ),
  }),
);

// The payment provider, simulated in its own process: holders top up by paying it (0150).
const paymentSim = await startSimulator({}, join(import.meta.dirname, '..'));
const gateway = await startGateway(
  loadGatewayConfig(
    {},
    {
      instanceId: 'demo-gateway',
      store: 'sqlite',
      sqliteFile: join(dir, 'gateway.db'),
      embeddedBrokerPort: mqttPort,
      mqttProtocolVersion: 4,
      mqttShareGroup: '',
      httpPort,
      tokenKeyHex,
      // The shipped Beijing tariff (docs/tariffs/beijing.md): the devices stand on its lines.
      tariff: 'beijing',
      listSigningKeyHex,
      listKeyId: 'demo',
      logLevel: 'error',
      qrSigningKeys: `1:${randomBytes(32).toString('hex')}`,
      operatorsFile,
      paymentProviderUrl: paymentSim.url,
      paymentProviderPublicKeyHex: paymentSim.publicKeyHex,
    },
  ),
);
const login = await fetch(`${gateway.url}/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: logins[0]!.password, bearer: true }),
});
const authorization = `Bearer ${((await login.json()) as { token: string }).token}`;
const post = async (path: string, body: unknown) => {
  const r = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<Record<string, unknown>>;
};

const devices = [
  {
    deviceId: 'bus-101',
    operatorId: 'bj-bus',
    profile: 'bus_validator',
    routeId: '101',
    stationId: '',
    venueId: '',
  },
  {
    deviceId: 'gate-in-pingguoyuan',
    operatorId: 'bj-metro',
    profile: 'metro_entry_gate',
    routeId: 'metro-1',
    stationId: 'bj-pingguoyuan',
    venueId: '',
  },
  {
    deviceId: 'gate-out-xidan',
    operatorId: 'bj-metro',
    profile: 'metro_exit_gate',
    routeId: 'metro-1',
    stationId: 'bj-xidan',
    venueId: '',
  },
  // 交通服务 at Beijing West: the card as identity only, no fare; a lost card is refused.
  {
    deviceId: 'id-gate-beijingxi',
    operatorId: 'bj-rail',
    profile: 'station_id_gate',
    routeId: '',
    stationId: 'bj-beijingxi',
    venueId: '',
  },
  // Venues: the card as reader card; free entry for seniors and the disabled at the park, two
  // annual passes (旅游年卡) on the park's signed entitlement list, the others turned away with
  // NO_TICKET; the museum admits reservations for the current slot only.
  {
    deviceId: 'museum-gate-1',
    operatorId: 'cityculture',
    profile: 'museum_gate',
    routeId: '',
    stationId: '',
    venueId: 'museum-1',
  },
  {
    deviceId: 'lib-gate-1',
    operatorId: 'cityculture',
    profile: 'library_gate',
    routeId: '',
    stationId: '',
    venueId: 'city-library',
  },
  {
    deviceId: 'park-gate-1',
    operatorId: 'cityculture',
    profile: 'scenic_turnstile',
    routeId: '',
    stationId: '',
    venueId: 'park-1',
  },
] as const;
const credentials = new Map<string, string>();
// Each demo device gets a key pair made by the gateway: the private key, answered once, is what
// its agent signs batches with (docs/decisions/0173).
const deviceKeys = new Map<string, string>();
for (const d of devices) {
  const registered = await post('/v1/devices', d);
  credentials.set(d.deviceId, registered.credential as string);
  deviceKeys.set(d.deviceId, registered.privateKey as string);
}

const cards = Array.from({ length: 40 }, (_, i) => syntheticCardNumber(i));
const concessions = (i: number) => (i < 2 ? ['SENIOR'] : i < 4 ? ['STUDENT'] : i === 4 ? ['DISABLED'] : []);
const tokens: string[] = [];
for (const [i, n] of cards.entries()) {
  const card = await post('/v1/cards', {
    cardNumber: n,
    region: i % 3 === 0 ? '500228' : '110105',
    concessions: concessions(i),
    balanceFen: i === 11 ? 300 : 5000, // card 11 runs out: the exit fare takes it below zero
  });
  tokens.push(card.token as string);
}
// Annual passes for cards 6 and 7 at the park: one call to the list service, one signed delta.
const today = localDay(Date.now());
const passes = await fetch(`${gateway.url}/v1/admin/lists/entitlements/park-1`, {
  method: 'PUT',
  headers: { authorization, 'content-type': 'application/json' },
  body: JSON.stringify({
    put: [6, 7].map((i) => ({
      token: tokens[i],
      kind: 'annual_pass',
      id: `pass-${i}`,
      fromDay: today,
      toDay: today + 365,
      slotStartMin: 0,
      slotEndMin: 1440,
      maxEntries: 0,
    })),
  }),
});
if (!passes.ok) throw new Error(`annual passes: ${passes.status} ${await passes.text()}`);
// Museum reservations (文化场馆预约) for cards 12 to 15, in the two-hour slot that started on
// the hour; card 16 comes without one and is refused.
const slotStart = Math.floor(localMinute(Date.now()) / 60) * 60;
const reservations = await fetch(`${gateway.url}/v1/admin/lists/entitlements/museum-1`, {
  method: 'PUT',
  headers: { authorization, 'content-type': 'application/json' },
  body: JSON.stringify({
    put: [12, 13, 14, 15].map((i) => ({
      token: tokens[i],
      kind: 'reservation',
      id: `rv-${i}`,
      fromDay: today,
      toDay: today,
      slotStartMin: slotStart,
      slotEndMin: Math.min(slotStart + 120, 1440),
      maxEntries: 1,
    })),
  }),
});
if (!reservations.ok)
  throw new Error(`museum reservations: ${reservations.status} ${await reservations.text()}`);

// The e-card app of card 0's holder, and the issuer keys the devices verify its codes with.
const eCardApp = new ReferenceApp();
// The e-card app's backend gets the holder a token (here the admin stands in for it).
const holderToken = (await post('/v1/holder-tokens', { cardNumber: cards[0]! })).token as string;
await eCardApp.fetchCredential(gateway.url, cards[0]!, `Bearer ${holderToken}`);
// The same holder tops up from the app: paid at the provider, credited on its notification.
await paidTopUp(gateway.url, `Bearer ${holderToken}`, paymentSim, 5_000);
const qrKeys = (await (await fetch(`${gateway.url}/v1/qr/keys`)).json()) as {
  keys: Array<{ keyId: number; publicKey: string }>;
};

const agents: Array<{ agent: Agent; reader: ManualReader; name: string }> = [];
for (const d of devices) {
  const reader = new ManualReader();
  const config = loadEdgeConfig({
    env: {},
    values: {
      deviceId: d.deviceId,
      operatorId: d.operatorId,
      profile: d.profile,
      routeId: d.routeId,
      stationId: d.stationId,
      venueId: d.venueId,
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
      mqttProtocolVersion: 4,
      gatewayHttpUrl: gateway.url,
      gatewayCredential: credentials.get(d.deviceId)!,
      deviceKey: deviceKeys.get(d.deviceId)!,
      journalFile: join(dir, `${d.deviceId}.db`),
      tokenKeyHex,
      listKeys: `demo:${listPublicKeyHex}`,
      logLevel: 'silent',
      qrIssuerKeys: qrKeys.keys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
    },
  });
  const agent = await startAgent(config, reader);
  // Refusals everywhere, and admissions where the reason says something (a reservation in its slot).
  const showAllows = d.profile === 'museum_gate';
  agent.events.on('decision', (e) => {
    if (e.decision === 'allow' && showAllows)
      console.log(
        `  ${d.deviceId}: card ${e.cardToken.slice(0, 8)}… admitted (${e.reason}: ${e.display.en})`,
      );
    if (e.decision === 'deny')
      console.log(
        `  ${d.deviceId}: card ${e.cardToken.slice(0, 8)}… DENIED (${e.reason}: ${e.display.zh} ${e.display.en})`,
      );
  });
  // The gateway prices the metro ride when the exit tap reaches it: the Beijing distance fare
  // from Pingguoyuan to Xidan (18.5 km), less concessions and spend tiers.
  if (d.profile === 'metro_exit_gate')
    agent.events.on('ack', (a) => {
      for (const r of a.results)
        if (r.outcome === 'charged' && !r.duplicate)
          console.log(
            `  ${d.deviceId}: metro fare ¥${(r.chargedFen / 100).toFixed(2)} charged (${r.reason}), balance ¥${(r.balanceAfterFen / 100).toFixed(2)}`,
          );
    });
  agents.push({ agent, reader, name: d.deviceId });
}

const lostCard = cards[5]!;
console.log(
  `\n  onecard demo is running.\n  Operator console: ${gateway.url}/  logins (username / password):\n${logins
    .map((l) => `    ${l.username.padEnd(8)} ${l.password}  (${l.role}${l.tenant ? `, ${l.tenant}` : ''})`)
    .join('\n')}\n  API (OpenAPI): ${gateway.url}/openapi.json   metrics: ${gateway.url}/metrics\n`,
);
const readers: Record<Stop, ManualReader> = {
  bus: readerOf('bus-101'),
  metroIn: readerOf('gate-in-pingguoyuan'),
  metroOut: readerOf('gate-out-xidan'),
  station: readerOf('id-gate-beijingxi'),
  library: readerOf('lib-gate-1'),
  museum: readerOf('museum-gate-1'),
  park: readerOf('park-gate-1'),
};
function readerOf(deviceId: string): ManualReader {
  return agents.find((a) => a.name === deviceId)!.reader;
}
// Seniors (0, 1), the disabled (4) and the annual-pass holders (6, 7) visit the park, and one
// rider without a ticket (9), whom the turnstile refuses.
// Holders of a museum reservation (12-15) and one without (16) visit the museum.
const riders = new Riders(
  cards.length,
  4,
  Math.random,
  (stop, card) => (stop !== 'park' || card < 10) && (stop !== 'museum' || (card >= 12 && card <= 16)),
);
let taps = 0;
let reportedLost = false;
const started = Date.now();
const timer = setInterval(async () => {
  taps++;
  if (taps % 10 === 0) {
    // The e-card app's holder rides the bus with a QR code instead of the card.
    const code = eCardApp.code();
    const signal = await readers.bus.scan(code);
    console.log(`  e-card QR on bus-101 (${code.length} chars): ${signal.decision}, ${signal.display.en}`);
  } else if (reportedLost && taps % 10 === 5) {
    readers.bus.tap(lostCard); // the lost card keeps trying: refused at the device
  } else {
    const next = riders.next(Date.now());
    if (next.passback) console.log('  a rider tries the metro entry gate a second time …');
    readers[next.stop].tap(cards[next.card]!);
  }
  const elapsed = (Date.now() - started) / 1000;
  if (!reportedLost && elapsed > (seconds > 0 ? seconds / 2 : 20)) {
    reportedLost = true;
    const token = (await post('/v1/cards/lookup', { cardNumber: lostCard })).token as string;
    await post(`/v1/cards/${token}/lost`, {});
    console.log(`  card ${token.slice(0, 8)}… reported lost (挂失); its next taps are denied at the devices`);
  }
  if (taps % 40 === 0) {
    const page = (await (
      await fetch(`${gateway.url}/v1/records?limit=500`, { headers: { authorization } })
    ).json()) as { items: unknown[] };
    console.log(`  ${taps} taps so far, ${page.items.length} records at the gateway`);
  }
}, 250);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  for (const a of agents) await a.agent.stop();
  await gateway.stop();
  await paymentSim.stop();
  console.log('  demo stopped');
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (seconds > 0) setTimeout(() => void stop(), seconds * 1000);
