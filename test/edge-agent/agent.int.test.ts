// The edge agent against the real Mosquitto, with the test playing the gateway: it receives
// the device's batches, answers acks, publishes signed deny deltas and serves list snapshots.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardTokenHex } from '../../core/pii.js';
import { type Agent, startAgent } from '../../edge-agent/src/agent.js';
import type { EdgeConfig } from '../../edge-agent/src/config.js';
import { openSqliteJournal } from '../../edge-agent/src/journal/sqlite.js';
import { ManualReader, syntheticCardNumber } from '../../edge-agent/src/reader/simulated.js';
import type { DecisionEvent } from '../../edge-agent/src/verifier.js';
import { v1 } from '../../protos/wire.js';
import { testEnv, uniqueId } from '../support/env.js';
import { FakeGateway, FakeListServer, until } from './fake-gateway.js';
import { edgeConfig, TOKEN_KEY_HEX } from './support.js';

const KEY = Buffer.from(TOKEN_KEY_HEX, 'hex');

describe('edge agent with a real MQTT broker', () => {
  let dir: string;
  let config: EdgeConfig;
  let gateway: FakeGateway;
  let lists: FakeListServer;
  const running: Agent[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'onecard-edge-'));
    lists = new FakeListServer();
    await lists.start();
    config = edgeConfig({
      deviceId: uniqueId('dev'),
      operatorId: uniqueId('op'),
      mqttUrl: testEnv.mqttUrl(),
      mqttReconnectMs: 200,
      gatewayHttpUrl: lists.url,
      journalFile: join(dir, 'journal.db'),
      batchMaxTaps: 10,
      batchMaxDelayMs: 20,
      ackTimeoutMs: 1000,
    });
    gateway = await FakeGateway.connect(testEnv.mqttUrl(), config.operatorId, config.deviceId);
    config = { ...config, mqttPassword: gateway.device.password };
  });

  afterEach(async () => {
    for (const agent of running.splice(0)) await agent.stop();
    await gateway.close();
    await lists.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(cfg: EdgeConfig = config) {
    const reader = new ManualReader();
    const agent = await startAgent(cfg, reader);
    running.push(agent);
    const decisions: DecisionEvent[] = [];
    agent.events.on('decision', (d) => decisions.push(d));
    return { agent, reader, decisions };
  }

  const stop = async (agent: Agent) => {
    running.splice(running.indexOf(agent), 1);
    await agent.stop();
  };

  it('delivers every tap to the gateway in seq order and empties its journal as acks come', async () => {
    const { agent, reader } = await start();
    await until('link up', () => agent.online());
    for (let i = 0; i < 25; i++) reader.tap(syntheticCardNumber(i), '500228');

    await until('journal empty', () => agent.journalDepth() === 0);
    expect(gateway.seqs()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(
      gateway.batches.every((b) => b.deviceId === config.deviceId && b.operatorId === config.operatorId),
    ).toBe(true);
    expect(Buffer.from(gateway.taps[3]!.cardToken).toString('hex')).toBe(
      cardTokenHex(KEY, syntheticCardNumber(3)),
    );
    expect(gateway.taps.every((t) => t.offline === false)).toBe(true);
    expect(agent.lastAckedSeq()).toBe(25);
  });

  it('publishes a retained online status on connect and an offline one when it stops', async () => {
    const { agent } = await start();
    const online = await until('online status', () => gateway.statuses.find((s) => s.online));
    expect(online).toMatchObject({
      deviceId: config.deviceId,
      operatorId: config.operatorId,
      profile: 'bus_validator',
    });
    await stop(agent);
    await until('offline status', () => gateway.statuses.at(-1)?.online === false);
  });

  it('denies the next tap of a card as soon as a deny delta arrives over MQTT, with no HTTP round trip', async () => {
    // Start from a version far above any other suite's, so foreign deltas on the shared
    // broker are refused as old and cannot take our version number.
    const base = 1_000_000 + Math.floor(Math.random() * 1_000_000);
    lists.snapshots.set('deny', { version: base, body: new Uint8Array(0) });
    const { agent, reader, decisions } = await start();
    await agent.resyncDenyList();
    expect(agent.denyListVersion()).toBe(base);
    // From here on no HTTP answer can reach the agent: only the MQTT delta can deny the card.
    await lists.stop();
    await until('link up', () => agent.online());

    const card = syntheticCardNumber(4242);
    expect(reader.tap(card)?.decision).toBe('allow');
    await gateway.publishDelta(base + 1, cardTokenHex(KEY, card));
    await until('delta applied', () => agent.denyListVersion() === base + 1);

    expect(reader.tap(card)?.decision).toBe('deny');
    expect(decisions.map((d) => [d.decision, d.reason])).toEqual([
      ['allow', 'OK'],
      ['deny', 'CARD_LOST'],
    ]);
    await until('denied tap delivered', () =>
      gateway.taps.find((t) => t.decision === v1.Decision.DECISION_DENY),
    );
  });

  it('keeps the seq counter across a restart over the same journal file and resends the unacked taps', async () => {
    gateway.acking = false;
    const first = await start();
    await until('link up', () => first.agent.online());
    for (let i = 0; i < 3; i++) first.reader.tap(syntheticCardNumber(i));
    await until('3 taps at the gateway', () => gateway.seqs().length === 3);
    await stop(first.agent);

    gateway.acking = true;
    const received = gateway.taps.length;
    const second = await start();
    expect(second.agent.lastSeq()).toBe(3);
    expect(second.agent.journalDepth()).toBe(3);
    await until('link up', () => second.agent.online());
    expect(second.reader.tap(syntheticCardNumber(9))?.seq).toBe(4);

    await until('journal empty', () => second.agent.journalDepth() === 0);
    expect([...new Set(gateway.taps.slice(received).map((t) => Number(t.seq)))]).toEqual([1, 2, 3, 4]);
  });

  it('decides while the broker is unreachable, marks those taps offline, and drains them oldest first once connected', async () => {
    const offline = await start({ ...config, mqttUrl: 'mqtt://127.0.0.1:1' });
    for (let i = 0; i < 15; i++) expect(offline.reader.tap(syntheticCardNumber(i))?.decision).toBe('allow');
    expect(offline.decisions.every((d) => d.offline)).toBe(true);
    await stop(offline.agent);

    const { agent } = await start();
    await until('journal empty', () => agent.journalDepth() === 0);
    expect(gateway.seqs()).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(gateway.taps.every((t) => t.offline)).toBe(true);
  });

  it('leaves the journal file usable by a new agent after stop (nothing held open)', async () => {
    const { agent, reader } = await start();
    reader.tap(syntheticCardNumber(1));
    await stop(agent);
    const journal = openSqliteJournal(config.journalFile);
    expect(journal.lastSeq()).toBe(1);
    journal.close();
  });
});
