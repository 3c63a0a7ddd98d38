// The gateway's HTTP side in-process (fastify inject) over a real SQLite store (or a store the
// suite opens), with one account per role, for the role and tenant tests. MQTT is not part of
// these tests: the list publisher's messages are dropped instead of sent. Venues and QR
// issuing are served when the suite asks (every route of the gateway then exists).
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Account } from '../../../gateway/src/auth/accounts.js';
import { DeviceVerifier } from '../../../gateway/src/auth/device-verifier.js';
import { ownersFrom } from '../../../gateway/src/auth/owners.js';
import { hashPassword } from '../../../gateway/src/auth/passwords.js';
import type { Role } from '../../../gateway/src/auth/policy.js';
import type { AuthLimits } from '../../../gateway/src/auth/throttle.js';
import { deriveKeys } from '../../../gateway/src/auth/tokens.js';
import { CardService } from '../../../gateway/src/cards/service.js';
import { loadGatewayConfig } from '../../../gateway/src/config.js';
import { Fleet } from '../../../gateway/src/fleet.js';
import { buildHttp, createFastify } from '../../../gateway/src/http/server.js';
import { DeviceRegistry } from '../../../gateway/src/ingest/devices.js';
import { DenyListPublisher } from '../../../gateway/src/lists/deny.js';
import { ListPublisher } from '../../../gateway/src/lists/publisher.js';
import { ListService } from '../../../gateway/src/lists/service.js';
import { LiveFeed } from '../../../gateway/src/live/feed.js';
import { silentLogger as log } from '../../../gateway/src/log.js';
import { createMetrics } from '../../../gateway/src/metrics.js';
import { paymentsFrom } from '../../../gateway/src/payments/wiring.js';
import { qrServiceFrom } from '../../../gateway/src/qr/wiring.js';
import type { HistoryStore, Store } from '../../../gateway/src/store/port.js';
import { openSqliteStore } from '../../../gateway/src/store/sqlite.js';
import { loadTariff } from '../../../gateway/src/tariff/load.js';
import { venuesFrom } from '../../../gateway/src/venues/wiring.js';
import { testSigner } from '../../support/lists.js';

export const PASSWORD = 'correct horse battery';
export const TOKEN_KEY = Buffer.from('c0'.repeat(32), 'hex');

export const logins: Array<{ username: string; role: Role; tenant: string }> = [
  { username: 'root', role: 'admin', tenant: '' },
  { username: 'audrey', role: 'auditor', tenant: '' },
  { username: 'counter1', role: 'card_service', tenant: '' },
  { username: 'busco-ops', role: 'transit_operator', tenant: 'busco' },
  { username: 'metro-ops', role: 'transit_operator', tenant: 'metroco' },
  { username: 'museum-ops', role: 'venue_operator', tenant: 'museum' },
  { username: 'ecard', role: 'ecard_app', tenant: '' },
];

export interface TestHttpOptions {
  /** Serve the venue routes with the venue files of this folder. */
  venuesDir?: string;
  /** Serve the QR routes, signing with this key list (ONECARD_QR_SIGNING_KEYS). */
  qrSigningKeys?: string;
  /** The outside issuer the QR online checks ask (test/support/fake-issuer.ts). */
  qrOutsideIssuerUrl?: string;
  /** The store to run on (closed with the app); default a fresh in-memory SQLite store. */
  store?: Store;
  /** Where record queries, CSV and statistics read (Services.history); default the store. */
  history?: HistoryStore;
  /** Services.historyUpTo: set with a PostgreSQL history. */
  historyUpTo?: () => Promise<number | undefined>;
  /** More accounts besides the ones in logins. */
  accounts?: Array<{ username: string; role: Role; tenant: string }>;
  /** The tariff (ONECARD_TARIFF: a shipped name or a file path) for who owns which route; default flat. */
  tariff?: string;
  /** Sees every route as it is registered (fastify onRoute), before any is added. */
  onRoute?: (route: RouteOptions) => void;
  /** Log at this level into lines (default: silent). */
  log?: { level: string; lines: string[] };
  /** The clock of the auth context and the services (default: Date.now). */
  now?: () => number;
  limits?: AuthLimits;
  /** ONECARD_TRUST_PROXY. */
  trustProxy?: string;
  /** Another accounts table than `logins` (+ accounts), all with PASSWORD unless given. */
  accountsTable?: Map<string, Account>;
  /** A payment provider (test/support/payment-simulator.ts); absent: no paid top-ups. */
  paymentProvider?: { url: string; publicKeyHex: string };
}

export interface TestHttp {
  app: FastifyInstance;
  store: Store;
  cards: CardService;
  live: LiveFeed;
  /** Bearer header of a fresh session for the username. */
  as(username: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startTestHttp(opts: TestHttpOptions = {}): Promise<TestHttp> {
  const hash = await hashPassword(PASSWORD);
  const accounts =
    opts.accountsTable ??
    new Map<string, Account>(
      [...logins, ...(opts.accounts ?? [])].map((l) => [l.username, { ...l, passwordHash: hash }]),
    );
  const store = opts.store ?? (await openSqliteStore({ file: ':memory:' }));
  const now = opts.now ?? (() => Date.now());
  const publisher = new ListPublisher(store, testSigner, async () => {}, log, now);
  const lists = new ListService(store, publisher, now);
  const deny = new DenyListPublisher(store, publisher, now);
  const cards = new CardService(store, deny, TOKEN_KEY, now, lists);
  const live = new LiveFeed(now);
  const app = opts.log
    ? createFastify(opts.log.level, opts.trustProxy, { write: (line) => void opts.log!.lines.push(line) })
    : createFastify('silent', opts.trustProxy);
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  const metrics = createMetrics();
  // No payment provider unless given (paid top-ups themselves: test/gateway/payments/).
  const payments = paymentsFrom(
    loadGatewayConfig(
      {},
      {
        tokenKeyHex: TOKEN_KEY.toString('hex'),
        listSigningKeyHex: '11'.repeat(32),
        ...(opts.paymentProvider
          ? {
              paymentProviderUrl: opts.paymentProvider.url,
              paymentProviderPublicKeyHex: opts.paymentProvider.publicKeyHex,
            }
          : {}),
      },
    ),
    {
      store,
      cards,
      registry: metrics.registry,
      now,
      ownNotifyUrl: () => 'http://127.0.0.1:1/v1/payments/notify',
    },
  );
  const venues = opts.venuesDir
    ? venuesFrom({
        venuesDir: opts.venuesDir,
        store,
        entitlements: lists,
        registry: metrics.registry,
        log: app.log,
        now,
      })
    : undefined;
  const qr = opts.qrSigningKeys
    ? qrServiceFrom(
        {
          qrSigningKeys: opts.qrSigningKeys,
          qrCredentialTtlSec: 86_400,
          qrOutsideIssuerUrl: opts.qrOutsideIssuerUrl ?? '',
          qrOutsideTimeoutMs: 300,
        },
        cards,
        now,
      )
    : undefined;
  const tariff = loadTariff(opts.tariff ?? 'flat', { busFlatFen: 200, metroFlatFen: 300 });
  await buildHttp(app, {
    ...(venues ? { venues } : {}),
    ...(qr ? { qr } : {}),
    owners: ownersFrom({ venues: venues?.service, ...(tariff.compiled ? { tariff: tariff.compiled } : {}) }),
    payments,
    store,
    history: opts.history ?? store,
    ...(opts.historyUpTo ? { historyUpTo: opts.historyUpTo } : {}),
    cards,
    deny,
    fleet: new Fleet({ log, now, devices: new DeviceRegistry(store, now), maxDevices: 1000 }),
    devices: new DeviceRegistry(store, now),
    metrics,
    live,
    lists,
    tariff: tariff.summary,
    auth: {
      keys: deriveKeys(TOKEN_KEY),
      accounts,
      store,
      deviceVerifier: new DeviceVerifier(store.credentials),
      now,
      ...(opts.limits ? { limits: opts.limits } : {}),
    },
    ready: async () => ({ ready: true, checks: {} }),
  });
  await app.ready();
  const sessions = new Map<string, string>();
  return {
    app,
    store,
    cards,
    live,
    async as(username) {
      let token = sessions.get(username);
      if (!token) {
        const r = await app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { username, password: PASSWORD, bearer: true },
        });
        if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
        token = r.json<{ token: string }>().token;
        sessions.set(username, token);
      }
      return { authorization: `Bearer ${token}` };
    },
    async close() {
      live.stop();
      await app.close();
      await store.close();
    },
  };
}
