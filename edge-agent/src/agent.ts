// The controller: builds the modules, wires them together and starts/stops them in order. It
// holds no logic of its own (zigbee2mqtt's Controller, without the global settings).
//
//   reader ─▶ verifier ─▶ journal ─▶ batcher ─▶ link ─▶ gateway
//                 ▲                      ▲          │
//    lists (deny, flags, …) ◀── list sync ◀─┼───────┤ (signed deltas, heads; HTTP resync)
//                                        └──────────┘ (acks)
import { EventEmitter } from 'node:events';
import type { CardFacts } from '../../core/facts.js';
import { parsePublicKeys } from '../../core/lists/envelope.js';
import { profiles } from '../../core/profiles.js';
import { topics } from '../../core/topics.js';
import {
  type ListKind,
  type OutcomeName,
  outcomes,
  type ReasonName,
  reasonName,
} from '../../protos/codec.js';
import type { BatchAck } from '../../protos/wire.js';
import type { EdgeConfig } from './config.js';
import { loadDeviceKey } from './device-key.js';
import type { Journal } from './journal/port.js';
import { openSqliteJournal } from './journal/sqlite.js';
import { EdgeLists } from './lists/lists.js';
import type { ListVersionInfo } from './lists/state.js';
import { ListSync } from './lists/sync.js';
import { type Logger, silentLogger } from './log.js';
import { Modules } from './modules.js';
import { EdgeLink, mqttCredentials } from './mqtt/link.js';
import { openQrGate } from './qr/gate.js';
import type { Reader } from './reader/port.js';
import { gateFrom } from './rules/config.js';
import { EntryEngine } from './rules/engine.js';
import { factsFromLists } from './rules/facts.js';
import { type HistoryStore, MemoryHistory, SqliteHistory } from './rules/history.js';
import { StatusReporter } from './status.js';
import { Batcher } from './uplink/batcher.js';
import { type DecisionEvent, Verifier } from './verifier.js';

export interface AckEvent {
  fromSeq: number;
  toSeq: number;
  results: Array<{
    seq: number;
    outcome: OutcomeName;
    chargedFen: number;
    balanceAfterFen: number;
    reason: ReasonName;
    duplicate: boolean;
  }>;
}

export interface AgentEvents {
  /** A tap was decided and journaled: the gate and display signal. */
  decision: [DecisionEvent];
  /** The gateway committed a batch; its taps left the journal. */
  ack: [AckEvent];
  /** The deny list moved to a new version. */
  denyVersion: [number];
  /** Any list moved to a new version. */
  listVersion: [{ kind: ListKind; version: number }];
  online: [];
  offline: [];
}

export interface AgentOptions {
  log?: Logger;
  now?: () => number;
  fetch?: typeof fetch;
  /** Use this journal instead of opening config.journalFile (the caller then closes it). */
  journal?: Journal;
  /** Card history for the entry rules; default: persisted in config.journalFile (in memory with `journal`). */
  history?: HistoryStore;
}

export interface Agent {
  readonly config: EdgeConfig;
  readonly events: EventEmitter<AgentEvents>;
  online(): boolean;
  journalDepth(): number;
  lastSeq(): number;
  lastAckedSeq(): number;
  denyListVersion(): number;
  /** Every list the device keeps: kind, scope, version, entries. */
  listVersions(): ListVersionInfo[];
  /** List messages refused since start (forged, replayed, malformed; each logged). */
  listsRefused(): number;
  /** Batch acks ignored since start (bad signature, another device's, a range not in flight). */
  acksRefused(): number;
  /** The device's Ed25519 public key, 64 hex chars (what POST /v1/devices enrols). */
  publicKey(): string;
  /** What the device knows about a card (32-hex token) right now, as a tap would see it. */
  cardFacts(tokenHex: string, issuingRegion: string): CardFacts;
  clockSkewMs(): number;
  /** Fetches the deny list changes from the gateway now. */
  resyncDenyList(): Promise<void>;
  /** Fetches every list's changes from the gateway now. */
  resyncLists(): Promise<void>;
  /** Stops reading, says offline, disconnects, closes the journal. */
  stop(): Promise<void>;
}

export async function startAgent(
  config: EdgeConfig,
  reader: Reader,
  options: AgentOptions = {},
): Promise<Agent> {
  const log = options.log ?? silentLogger;
  const now = options.now ?? Date.now;
  const profile = profiles[config.profile];
  const events = new EventEmitter<AgentEvents>();
  const journal = options.journal ?? openSqliteJournal(config.journalFile);
  const ackTopic = topics.ack(config.operatorId, config.deviceId);

  const listKeys = parsePublicKeys(config.listKeys);
  if (typeof listKeys === 'string') throw new Error(`listKeys: ${listKeys}`);
  const deviceKey = loadDeviceKey(config);
  let status: StatusReporter | undefined;
  const lists = new EdgeLists({
    file: config.listsFile,
    venueId: config.venueId,
    keys: listKeys,
    log,
    onVersion: (kind, version) => {
      if (kind === 'deny') events.emit('denyVersion', version);
      events.emit('listVersion', { kind, version });
      void status?.publishNow();
    },
  });
  const history =
    options.history ??
    (options.journal
      ? new MemoryHistory(config.historyMaxCards)
      : new SqliteHistory(config.journalFile, config.historyMaxCards, (err) =>
          log.error({ err }, 'card history not persisted (decisions go on from memory)'),
        ));
  const rules = new EntryEngine({
    gate: gateFrom(config),
    history,
    lastAckedSeq: () => journal.lastAckedSeq(),
  });
  let link: EdgeLink | undefined;
  const isOnline = () => link?.connected ?? false;
  const publish = (topic: string, payload: Uint8Array, retain = false) =>
    link ? link.publish(topic, payload, retain) : Promise.reject(new Error('no link'));

  const batcher = new Batcher({
    journal,
    operatorId: config.operatorId,
    deviceId: config.deviceId,
    publish,
    maxTaps: config.batchMaxTaps,
    maxDelayMs: config.batchMaxDelayMs,
    maxInflight: config.maxInflightBatches,
    ackTimeoutMs: config.ackTimeoutMs,
    sign: deviceKey.sign,
    ackKeys: listKeys,
    now,
    log,
    onAck: (ack) => events.emit('ack', ackEvent(ack)),
  });
  status = new StatusReporter({
    operatorId: config.operatorId,
    deviceId: config.deviceId,
    profile: config.profile,
    intervalMs: config.statusIntervalMs,
    figures: () => ({
      denyListVersion: lists.version('deny'),
      lists: lists.versionInfo(),
      listsRefused: lists.refusedCount(),
      acksRefused: batcher.acksRefused,
      journalDepth: journal.depth(),
      lastAckedSeq: journal.lastAckedSeq(),
      clockSkewMs: batcher.skew.ms,
    }),
    publish,
    isOnline,
    now,
    log,
  });
  const sync = new ListSync({
    lists,
    keys: listKeys,
    gatewayHttpUrl: config.gatewayHttpUrl,
    credential: config.gatewayCredential,
    retryMs: config.denyResyncRetryMs,
    log,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // A caller-provided journal keeps its own persistence; used tickets then live in memory.
  const qr = openQrGate(options.journal ? { ...config, journalFile: ':memory:' } : config, {
    isOnline,
    now,
    log,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const listTopics = new Map<string, { kind: ListKind; head: boolean }>();
  for (const kind of lists.state.kinds()) {
    listTopics.set(topics.listDelta(kind, lists.scopeOf(kind)), { kind, head: false });
    listTopics.set(topics.listHead(kind, lists.scopeOf(kind)), { kind, head: true });
  }
  const verifier = new Verifier({
    qr: qr.gate,
    profile,
    location: {
      routeId: config.routeId,
      stopId: config.stopId,
      stationId: config.stationId,
      venueId: config.venueId,
    },
    tokenKey: Buffer.from(config.tokenKeyHex, 'hex'),
    facts: factsFromLists(lists),
    rules,
    journal,
    isOnline,
    now,
    onDecision: (event) => {
      events.emit('decision', event);
      // Batching (which may encode and publish a whole batch) runs after the gate signal
      // has gone back to the reader, never in front of it.
      queueMicrotask(() => batcher.notify());
    },
  });
  link = new EdgeLink({
    url: config.mqttUrl,
    clientId: config.deviceId,
    ...mqttCredentials(config),
    protocolVersion: config.mqttProtocolVersion,
    sessionExpirySec: config.mqttSessionExpirySec,
    reconnectMs: config.mqttReconnectMs,
    log,
    subscriptions: [ackTopic, ...listTopics.keys()],
    will: { topic: status.topic, payload: status.willPayload() },
    onMessage: (topic, payload) => {
      if (topic === ackTopic) batcher.onAck(payload);
      const list = listTopics.get(topic);
      if (list?.head) sync.onHead(payload);
      else if (list) void sync.onDelta(payload);
    },
    onUp: () => {
      batcher.setOnline(true);
      void status.publishNow();
      events.emit('online');
    },
    onDown: () => {
      batcher.setOnline(false);
      events.emit('offline');
    },
  });

  // Each module after those it uses: the link before what publishes over it, the reader last
  // (a tap may come at once). The journal, history and QR gate are open already; as modules
  // they are closed last, and also when a later start fails.
  const modules = new Modules(
    [
      ['journal', { start() {}, stop: () => (options.journal ? undefined : journal.close()) }],
      ['history', { start() {}, stop: () => (options.history ? undefined : history.close()) }],
      ['qr', { start() {}, stop: () => qr.close() }],
      ['lists', lists],
      ['rules', { start: () => rules.start(now()), stop() {} }],
      ['link', link],
      ['sync', sync],
      ['batcher', batcher],
      ['status', status],
      ['reader', { start: () => reader.start((tap) => verifier.handle(tap)), stop: () => reader.stop() }],
    ],
    log,
  );
  await modules.start();
  log.info(
    {
      deviceId: config.deviceId,
      profile: config.profile,
      lastSeq: journal.lastSeq(),
      depth: journal.depth(),
      lists: lists.versionInfo(),
      // Public only: what the depot enrols (POST /v1/devices publicKey). Never the private key.
      publicKey: deviceKey.publicKey,
      deviceKeySource: deviceKey.source,
    },
    'edge agent started',
  );

  let stopped: Promise<void> | undefined;
  return {
    config,
    events,
    online: isOnline,
    journalDepth: () => journal.depth(),
    lastSeq: () => journal.lastSeq(),
    lastAckedSeq: () => journal.lastAckedSeq(),
    denyListVersion: () => lists.version('deny'),
    listVersions: () => lists.versionInfo(),
    listsRefused: () => lists.refusedCount(),
    acksRefused: () => batcher.acksRefused,
    publicKey: () => deviceKey.publicKey,
    cardFacts: (tokenHex, issuingRegion) => lists.cardFacts(Buffer.from(tokenHex, 'hex'), issuingRegion),
    clockSkewMs: () => batcher.skew.ms,
    resyncDenyList: () => sync.requestResync('deny'),
    resyncLists: () => sync.resyncAll(),
    stop() {
      stopped ??= (async () => {
        await modules.stop();
        events.removeAllListeners();
        log.info({ deviceId: config.deviceId }, 'edge agent stopped');
      })();
      return stopped;
    },
  };
}

function ackEvent(ack: BatchAck): AckEvent {
  return {
    fromSeq: Number(ack.fromSeq),
    toSeq: Number(ack.toSeq),
    results: ack.results.map((r) => ({
      seq: Number(r.seq),
      outcome: outcomes.name[r.outcome ?? 0] ?? 'recorded',
      chargedFen: Number(r.chargedFen),
      balanceAfterFen: Number(r.balanceAfterFen),
      reason: reasonName(r.reason ?? 0),
      duplicate: Boolean(r.duplicate),
    })),
  };
}
