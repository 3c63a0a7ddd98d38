// Wires the gateway's modules together; holds no logic of its own. Start order: store, HTTP
// (so devices can resync lists), MQTT and ingest, Kafka relay. Stop order is the reverse.
import { randomBytes } from 'node:crypto';
import { loadAccounts } from './auth/accounts.js';
import { DeviceVerifier } from './auth/device-verifier.js';
import { ownersFrom } from './auth/owners.js';
import { defaultAuthLimits } from './auth/throttle.js';
import { deriveKeys } from './auth/tokens.js';
import { RegistrySync } from './broker/sync.js';
import { CardService } from './cards/service.js';
import type { GatewayConfig } from './config.js';
import { Fleet } from './fleet.js';
import { buildHttp, createFastify } from './http/server.js';
import { DeviceRegistry } from './ingest/devices.js';
import { Ingest } from './ingest/ingest.js';
import { OutboxRelay } from './kafka/relay.js';
import { DenyListPublisher } from './lists/deny.js';
import { ListPublisher } from './lists/publisher.js';
import { ListService } from './lists/service.js';
import { ListSigner } from './lists/signer.js';
import { LiveFeed } from './live/feed.js';
import { createMetrics, registerRelayMetrics, registerStoreMetrics } from './metrics.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './mqtt/broker.js';
import { MqttLink, maxPacketBytesFor, mqttCredentialsOf, redactUrl } from './mqtt/link.js';
import { paymentsFrom } from './payments/wiring.js';
import { qrServiceFrom } from './qr/wiring.js';
import { Reconciler } from './reconcile/reconciler.js';
import { openPgPool } from './store/pg/connect.js';
import { PgHistoryStore } from './store/pg/history.js';
import type { HistoryStore, Store } from './store/port.js';
import { openRedisStore } from './store/redis.js';
import { redisTargetOf } from './store/redis-target.js';
import { openSqliteStore } from './store/sqlite.js';
import { loadTariff } from './tariff/load.js';
import { MissingTapOutSweeper } from './tariff/sweep.js';
import { venuesFrom } from './venues/wiring.js';

/** How often each instance looks for device credential changes made through another. */
const REGISTRY_POLL_MS = 1000;

/** Orders past their retention go within this long (hourly is plenty for days of retention). */
const PAYMENT_PRUNE_MS = 3600_000;
/** Tap keys leave by the day; hourly keeps them at most an hour past the window. */
const DEDUPE_PRUNE_MS = 3600_000;

export interface Gateway {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:8080 */
  url: string;
  store: Store;
  stop(): Promise<void>;
}

export async function openStore(config: GatewayConfig): Promise<Store> {
  return config.store === 'redis'
    ? openRedisStore({
        target: redisTargetOf(config),
        keyPrefix: config.redisPrefix,
        partitions: config.redisPartitions,
        waitReplicas: config.redisWaitReplicas,
        waitTimeoutMs: config.redisWaitTimeoutMs,
        dedupeWindowDays: config.dedupeWindowDays,
        tapsPerPartitionDay: config.dedupeTapsPerPartitionDay,
        commitGroupEffects: config.redisGroupEffects,
        // PostgreSQL is the system of record: Redis keeps no records (docs/decisions/0204).
        keepRecords: config.history !== 'postgres',
        useModule: config.redisModule === 'auto',
      })
    : openSqliteStore({ file: config.sqliteFile, dedupeWindowDays: config.dedupeWindowDays });
}

/** What tests put in instead of the real thing: the clock (a day of their own, say). */
export interface GatewayDeps {
  now?: () => number;
}

export async function startGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  const now = deps.now ?? (() => Date.now());
  // First: a tariff that cannot be read stops the start before anything listens.
  const tariff = loadTariff(config.tariff, {
    busFlatFen: config.busFlatFen,
    metroFlatFen: config.metroFlatFen,
  });
  // Read before anything starts: a broken accounts file stops the gateway with a readable message.
  const accounts = new Map(loadAccounts(config.operatorsFile).map((a) => [a.username, a]));
  const app = createFastify(config.logLevel, config.trustProxy);
  const log = app.log;
  const metrics = createMetrics();
  const broker: EmbeddedBroker | undefined =
    config.embeddedBrokerPort > 0 ? await startEmbeddedBroker(config.embeddedBrokerPort) : undefined;
  if (broker)
    log.warn(
      { port: broker.port },
      'embedded demo broker: ANONYMOUS, no ACL; anyone who reaches this port can read and publish every topic (production: deploy/mosquitto)',
    );
  const store = await openStore(config);
  registerStoreMetrics(metrics, () => store.moduleCommands());
  // The history process writes PostgreSQL from Kafka; the gateway only reads it (0190).
  const historyPool =
    config.history === 'postgres'
      ? await openPgPool({ url: config.pgUrl, schema: config.pgSchema })
      : undefined;
  const pgHistory = historyPool ? new PgHistoryStore(historyPool) : undefined;
  const history: HistoryStore = pgHistory ?? store;
  // Both bounded (docs/decisions/0160): device ids in topics are anyone's to make up.
  const devices = new DeviceRegistry(store, now, {
    maxDevices: config.fleetMaxDevices,
    maxMisses: config.deviceMissCacheMax,
  });
  // Device secrets changed through any instance reach the broker and the device cache within
  // a poll (docs/decisions/0170).
  const registrySync = new RegistrySync({
    credentials: store.credentials,
    ...(config.brokerPasswordFile
      ? {
          files: {
            passwordFile: config.brokerPasswordFile,
            aclFile: config.brokerAclFile,
            pidFile: config.brokerPidFile,
          },
        }
      : {}),
    part: config.brokerPasswordPart,
    pollMs: REGISTRY_POLL_MS,
    log,
    onChange: () => devices.clear(),
  });
  await registrySync.start();
  const fleet = new Fleet({
    log,
    now,
    devices,
    maxDevices: config.fleetMaxDevices,
    onDropped: (reason) => metrics.deviceStatusDropped.inc({ reason }),
  });
  const live = new LiveFeed(now);

  let link: MqttLink | undefined;
  const publish = async (topic: string, payload: Uint8Array, retain = false) => {
    if (!link) throw new Error('MQTT not started');
    await link.publish(topic, payload, retain);
  };
  const listSigner = new ListSigner(config.listSigningKeyHex, config.listKeyId);
  const listPublisher = new ListPublisher(store, listSigner, publish, log, now);
  const lists = new ListService(store, listPublisher, now);
  const deny = new DenyListPublisher(store, listPublisher, now);
  const cards = new CardService(
    store,
    deny,
    Buffer.from(config.tokenKeyHex, 'hex'),
    now,
    lists,
    tariff.concessions,
  );
  const relay = config.kafkaBrokers
    ? new OutboxRelay({
        store,
        brokers: config.kafkaBrokers,
        topic: config.kafkaTopic,
        owner: `${config.instanceId}-${randomBytes(4).toString('hex')}`,
        log,
      })
    : undefined;
  if (relay) registerRelayMetrics(metrics, () => relay.stats());
  const venues = venuesFrom({
    venuesDir: config.venuesDir,
    store,
    // Purchases, reservations and cancellations reach the venue's gates as signed deltas.
    entitlements: lists,
    registry: metrics.registry,
    log,
    now,
  });
  const ingest = new Ingest({
    store,
    devices,
    fare: tariff.price,
    limits: config,
    deadLetterBounds: {
      maxCount: config.deadLetterMaxCount,
      maxBytes: config.deadLetterMaxBytes,
      maxPayloadBytes: config.deadLetterMaxPayloadBytes,
    },
    sendAck: (topic, payload) => {
      if (!link) throw new Error('MQTT not started');
      link.send(topic, payload);
    },
    ackSigner: { keyId: listSigner.keyId, sign: (bytes) => listSigner.sign(bytes) },
    maxDeviceKeys: config.fleetMaxDevices,
    dedupeWindowDays: config.dedupeWindowDays,
    metrics,
    log,
    now,
    onCommitted: () => relay?.kick(),
    reconciler: new Reconciler({
      store,
      deny,
      log,
      now,
      onFinding: (kind) => metrics.findings.inc({ kind }),
    }),
    onRecords: (records) => live.publish(records),
    passages: venues.passages,
  });

  // Missing tap-outs of cards that never tap again (docs/decisions/0113); flat fares have none.
  const tapOutSweeper =
    tariff.compiled && config.tapOutSweepSec > 0
      ? new MissingTapOutSweeper({
          store,
          tariff: tariff.compiled,
          log,
          now,
          intervalMs: config.tapOutSweepSec * 1000,
          onRecords: () => relay?.kick(),
          onOutcome: (outcome, n) => metrics.missingTapOuts.inc({ outcome }, n),
        })
      : undefined;

  const qr = qrServiceFrom(config, cards, now, metrics.registry);
  let ownUrl = '';
  const payments = paymentsFrom(config, {
    store,
    cards,
    registry: metrics.registry,
    now,
    ownNotifyUrl: () => `${ownUrl}/v1/payments/notify`,
  });
  await buildHttp(app, {
    qr,
    payments,
    venues,
    store,
    history,
    ...(pgHistory ? { historyUpTo: () => pgHistory.recordsUpTo() } : {}),
    cards,
    deny,
    lists,
    fleet,
    devices,
    metrics,
    tariff: tariff.summary,
    owners: ownersFrom({ venues: venues.service, tariff: tariff.compiled }),
    live,
    auth: {
      keys: deriveKeys(Buffer.from(config.authKeyHex || config.tokenKeyHex, 'hex')),
      accounts,
      store,
      deviceVerifier: new DeviceVerifier(store.credentials),
      now,
      limits: { ...defaultAuthLimits, holderTokenTtlMs: config.holderTokenTtlSec * 1000 },
    },
    onDeviceCredentials: () => registrySync.kick(),
    ready: async () => {
      const storeOk = await store.ping().then(
        () => true,
        () => false,
      );
      const checks = { store: storeOk, mqtt: link?.connected ?? false };
      return { ready: checks.store && checks.mqtt, checks };
    },
  });
  await app.listen({ host: config.httpHost, port: config.httpPort });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.httpPort;
  ownUrl = `http://${config.httpHost}:${port}`;

  const mqttUrl = broker ? `mqtt://127.0.0.1:${broker.port}` : config.mqttUrl;
  link = new MqttLink({
    url: mqttUrl,
    // On the shipped broker the username is the client id (use_username_as_clientid).
    clientId: config.mqttUsername || config.instanceId,
    ...(broker ? {} : mqttCredentialsOf(config)),
    protocolVersion: config.mqttProtocolVersion,
    shareGroup: config.mqttShareGroup,
    concurrency: config.ingestConcurrency,
    maxPacketBytes: maxPacketBytesFor(config.maxBatchBytes),
    log,
    onTaps: (topic, payload) => ingest.handle(topic, payload),
    onStatus: (topic, payload) => fleet.onStatus(topic, payload),
  });
  await link.start();
  listPublisher.start();
  venues.sweeper.start();
  tapOutSweeper?.start();
  payments.start(PAYMENT_PRUNE_MS, (err) => log.warn({ err }, 'pruning payment orders failed'));
  // Tap keys of days before the dedupe window go (SQLite; Redis lets them expire): 0196.
  const dedupePrune = setInterval(() => {
    store.pruneDedupe(now()).catch((err) => log.warn({ err }, 'pruning tap dedupe keys failed'));
  }, DEDUPE_PRUNE_MS);
  dedupePrune.unref();
  await relay?.start();
  log.info(
    { http: `http://${config.httpHost}:${port}`, mqtt: redactUrl(mqttUrl), store: config.store },
    'gateway started',
  );

  return {
    url: `http://${config.httpHost}:${port}`,
    store,
    async stop() {
      await venues.sweeper.stop();
      await tapOutSweeper?.stop();
      payments.stop();
      clearInterval(dedupePrune);
      listPublisher.stop();
      live.stop();
      await relay?.stop();
      await link?.stop();
      registrySync.stop();
      await app.close();
      await store.close();
      await historyPool?.end();
      await broker?.close();
    },
  };
}
