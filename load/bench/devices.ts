// Simulated devices for the benchmark: lightweight publishers that speak the real wire
// protocol (TapBatch out, signed with each device's own key; BatchAck in) over the real broker,
// without a journal, so the bench measures the gateway and not the simulators. Each device keeps a window of batches in
// flight and records the time from publish to ack per batch. Every batch of a run is built and
// signed before the run starts, as a load generator prepares its requests (docs/decisions/0233):
// a city's validators build and sign on hardware of their own, not on the box being measured.
import { type KeyObject, randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { deviceSigningKey, newDeviceKeyPair } from '../../core/device-keys.js';
import { ed25519 } from '../../core/ed25519.js';
import { topics } from '../../core/topics.js';
import { encodeSignedBatch, type SignFn } from '../../protos/codec.js';
import { v1 } from '../../protos/wire.js';
import { benchMqtt } from './mqtt-client.js';

export interface SimDevice {
  deviceId: string;
  operatorId: string;
  /** The device's Ed25519 public key, registered with it (docs/decisions/0173). */
  publicKey: string;
  sign: SignFn;
}

/**
 * A signer holding its parsed key (also for load/bench/signing.ts): the edge agent's
 * (core/ed25519.ts), so the simulated devices cost the box what a device's signing would;
 * `key`, node:crypto's, for the bench's baseline.
 */
export function deviceKeySigner(privateKeyHex: string): SignFn & { key: KeyObject } {
  return Object.assign(ed25519.signer(Buffer.from(privateKeyHex, 'hex')), {
    key: deviceSigningKey(privateKeyHex),
  });
}

/** A simulated device with a key pair of its own. */
export function simDevice(deviceId: string, operatorId: string): SimDevice {
  const pair = newDeviceKeyPair();
  return { deviceId, operatorId, publicKey: pair.publicKey, sign: deviceKeySigner(pair.privateKey) };
}

export interface RunOptions {
  mqttUrl: string;
  /**
   * One connection plays every simulated device, so it needs the gateways' rights on the
   * shipped broker (scripts/services.sh's second gateway user); the client id is the username.
   */
  mqttUsername: string;
  mqttPassword: string;
  devices: SimDevice[];
  tokens: Buffer[];
  tapsPerBatch: number;
  /** Batches in flight per device (unacked). */
  window: number;
  /** Stop after this many taps in all (bounded). */
  totalTaps: number;
  /** Offered load, taps per second in all; 0 = as fast as acks allow. */
  ratePerSec: number;
  /** Give up after this long even if acks are missing (bounded). */
  maxSeconds: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Called once every batch is built and the acks are subscribed, just before the first batch
   * goes: a cost meter started here counts the run, not its preparation.
   */
  onReady?: () => Promise<void> | void;
}

export interface RunResult {
  tapsSent: number;
  tapsAcked: number;
  seconds: number;
  ackLatenciesMs: number[];
  duplicates: number;
  /** Bytes of one signed batch as published (the size the broker ceiling is measured with). */
  batchBytes: number;
  /** Bytes of the last BatchAck received (the answer's size in the broker's round trip). */
  ackBytes: number;
}

/** What a sent batch's place holds: its bytes are the broker's to keep until acked, not ours. */
const EMPTY = Buffer.alloc(0);

export async function runDevices(o: RunOptions): Promise<RunResult> {
  const client: MqttClient = await benchMqtt(o.mqttUrl, {
    username: o.mqttUsername,
    password: o.mqttPassword,
  });
  const perDevice = Math.ceil(o.totalTaps / o.devices.length / o.tapsPerBatch);
  const state = o.devices.map((d) => ({
    ...d,
    // Each run is a new journal: seqs from 1 under an epoch of its own (docs/decisions/0175).
    journalEpoch: randomBytes(8),
    nextSeq: 1,
    batchesLeft: perDevice,
    inflight: new Map<number, number>(),
  }));
  const byAckTopic = new Map(state.map((s) => [topics.ack(s.operatorId, s.deviceId), s]));
  const latencies: number[] = [];
  let acked = 0;
  let duplicates = 0;
  let tokenIndex = 0;
  let batchBytes = 0;
  let ackBytes = 0;
  const total = perDevice * o.tapsPerBatch * o.devices.length;
  // Batch k of every device, then batch k + 1: the order a run sends them in, so the cards of the
  // batches in flight together are as they were when each batch was built as it went out. The
  // taps' device time is the build's, seconds before they go (a device sends what it journaled).
  const payloads = state.map(() => new Array<Buffer>(perDevice));
  for (let k = 0; k < perDevice; k++)
    for (let d = 0; d < state.length; d++) payloads[d]![k] = build(state[d]!);
  let started = performance.now();
  let wake: (() => void) | undefined;

  client.on('message', (topic, payload) => {
    const s = byAckTopic.get(topic);
    if (!s) return;
    const ack = v1.BatchAck.decode(payload);
    ackBytes = payload.length;
    const sentAt = s.inflight.get(Number(ack.fromSeq));
    if (sentAt === undefined) return;
    s.inflight.delete(Number(ack.fromSeq));
    latencies.push(performance.now() - sentAt);
    acked += ack.results.length;
    for (const r of ack.results) if (r.duplicate) duplicates++;
    o.onProgress?.(acked, total);
    wake?.();
  });
  await client.subscribeAsync([...byAckTopic.keys()], { qos: 1 });

  function build(s: (typeof state)[number]): Buffer {
    const now = Date.now();
    const taps = [];
    for (let i = 0; i < o.tapsPerBatch; i++) {
      taps.push({
        seq: s.nextSeq++,
        deviceTimeMs: now,
        credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
        cardToken: o.tokens[tokenIndex++ % o.tokens.length],
        issuingRegion: '500228',
        location: { routeId: 'r1', stopId: 's1' },
        direction: v1.Direction.DIRECTION_BOARD,
        decision: v1.Decision.DECISION_ALLOW,
        reason: v1.Reason.REASON_OK,
      });
    }
    const payload = encodeSignedBatch(
      { deviceId: s.deviceId, operatorId: s.operatorId, taps, sentAtMs: now, journalEpoch: s.journalEpoch },
      s.sign,
    );
    batchBytes = payload.length;
    return Buffer.from(payload);
  }

  const topicOf = state.map((s) => topics.taps(s.operatorId, s.deviceId));
  const send = (d: number) => {
    const s = state[d]!;
    const k = perDevice - s.batchesLeft;
    // The batch's first seq: batches are built in order from seq 1.
    s.inflight.set(1 + k * o.tapsPerBatch, performance.now());
    s.batchesLeft--;
    client.publish(topicOf[d]!, payloads[d]![k]!, { qos: 1 });
    payloads[d]![k] = EMPTY;
  };

  await o.onReady?.();
  started = performance.now();
  const deadline = started + o.maxSeconds * 1000;
  const batchInterval = o.ratePerSec > 0 ? (1000 * o.tapsPerBatch) / o.ratePerSec : 0;
  let sentBatches = 0;
  while (acked < total && performance.now() < deadline) {
    let progressed = false;
    for (let d = 0; d < state.length; d++) {
      const s = state[d]!;
      if (s.batchesLeft === 0 || s.inflight.size >= o.window) continue;
      // Paced mode: the next batch is due at started + n × interval (open loop, no coordinated omission).
      if (batchInterval > 0 && performance.now() < started + sentBatches * batchInterval) break;
      send(d);
      sentBatches++;
      progressed = true;
    }
    if (!progressed) {
      const waitMs =
        batchInterval > 0 ? Math.max(0, started + sentBatches * batchInterval - performance.now()) : 50;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.min(50, Math.max(1, waitMs)));
      });
      wake = undefined;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  await client.endAsync();
  return {
    tapsSent: sentBatches * o.tapsPerBatch,
    tapsAcked: acked,
    seconds,
    ackLatenciesMs: latencies,
    duplicates,
    batchBytes,
    ackBytes,
  };
}
