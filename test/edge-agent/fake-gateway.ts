// The gateway's side of the wire, played by a test: an MQTT client on the real broker that
// receives one device's TapBatches and answers BatchAcks and publishes signed list deltas, and
// an HTTP server for list resync that serves signed snapshots the test controls.
import { createServer, type Server } from 'node:http';
import type { MqttClient } from 'mqtt';
import { ALL_SCOPE } from '../../core/lists/envelope.js';
import { encodeTokenRecords } from '../../core/lists/records.js';
import { topics } from '../../core/topics.js';
import type { ListKind } from '../../protos/codec.js';
import { type DeviceStatus, type Tap, type TapBatch, v1 } from '../../protos/wire.js';
import { listStream, signedDelta, testSigner } from '../support/lists.js';
import {
  brokerDevice,
  connectWhenAccepted,
  type EnrolledDevice,
  type ServiceUser,
  serviceUser,
} from '../support/mqtt.js';
import { signedAck } from '../support/signing.js';

export class FakeGateway {
  /** Every tap received, in arrival order (resends included). */
  readonly taps: Tap[] = [];
  readonly batches: TapBatch[] = [];
  readonly statuses: DeviceStatus[] = [];
  /** When false, batches are received but not acknowledged. */
  acking = true;

  private constructor(
    private readonly client: MqttClient,
    private readonly operatorId: string,
    private readonly deviceId: string,
    private readonly user: ServiceUser,
    /** The device's broker credentials (the agent's mqttPassword), as enrolment would give them. */
    readonly device: EnrolledDevice & { remove(): void },
  ) {}

  /** Connects as a gateway user of its own and makes the device known to the broker. */
  static async connect(url: string, operatorId: string, deviceId: string): Promise<FakeGateway> {
    const user = serviceUser('fakegw');
    const device = brokerDevice(deviceId);
    const client = await connectWhenAccepted(user, { clean: true }, url);
    // The device's user reached the broker with the same reload; make sure before a test uses it.
    await (await connectWhenAccepted(device, { clean: true }, url)).endAsync();
    const gw = new FakeGateway(client, operatorId, deviceId, user, device);
    client.on('message', (topic, payload) => gw.onMessage(topic, payload));
    await client.subscribeAsync({
      [topics.taps(operatorId, deviceId)]: { qos: 1 },
      [topics.status(operatorId, deviceId)]: { qos: 1 },
    });
    return gw;
  }

  /** Distinct seqs received, in first-arrival order. */
  seqs(): number[] {
    return [...new Set(this.taps.map((t) => Number(t.seq)))];
  }

  /** A signed deny delta putting one card on the list (from version - 1 to version). */
  async publishDelta(version: number, token: string, reason = v1.DenyReason.DENY_REASON_LOST): Promise<void> {
    const payload = signedDelta(
      testSigner,
      'deny',
      ALL_SCOPE,
      version,
      encodeTokenRecords([{ token, value: reason }]),
    );
    await this.client.publishAsync(topics.listDelta('deny', ALL_SCOPE), Buffer.from(payload), { qos: 1 });
  }

  async close(): Promise<void> {
    // Clear the device's retained status so the broker does not keep test leftovers.
    await this.client.publishAsync(topics.status(this.operatorId, this.deviceId), Buffer.alloc(0), {
      qos: 1,
      retain: true,
    });
    await this.client.endAsync();
    this.user.remove();
    this.device.remove();
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === topics.status(this.operatorId, this.deviceId)) {
      if (payload.length > 0) this.statuses.push(v1.DeviceStatus.decode(payload));
      return;
    }
    const batch = v1.TapBatch.decode(payload);
    this.batches.push(batch);
    this.taps.push(...(batch.taps as Tap[]));
    if (!this.acking) return;
    const results = batch.taps.map((t) => ({
      seq: Number(t.seq),
      outcome: v1.Outcome.OUTCOME_RECORDED,
      reason: t.reason,
    }));
    const ack = signedAck({
      deviceId: batch.deviceId,
      journalEpoch: batch.journalEpoch,
      fromSeq: results[0]!.seq,
      toSeq: results[results.length - 1]!.seq,
      results,
      gatewayTimeMs: Date.now(),
    });
    void this.client.publishAsync(topics.ack(this.operatorId, this.deviceId), Buffer.from(ack), { qos: 1 });
  }
}

/** GET /v1/lists/{kind}/{scope}?since= answering signed snapshots of whatever the test sets. */
export class FakeListServer {
  /** Per list kind: the version and record body served as a snapshot (absent: 204). */
  readonly snapshots = new Map<ListKind, { version: number; body: Uint8Array }>();
  readonly requests: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.requests.push(req.url ?? '');
      const m = /^\/v1\/lists\/([a-z]+)\/([^/?]+)\?since=(\d+)$/.exec(req.url ?? '');
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const kind = m[1] as ListKind;
      const snap = this.snapshots.get(kind);
      if (!snap || snap.version === Number(m[3])) {
        res.writeHead(204).end();
        return;
      }
      const h = { kind, scope: m[2]!, type: 'snapshot' as const, version: snap.version, previousVersion: 0 };
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'x-onecard-list-type': 'snapshot' })
        .end(listStream(testSigner, h, snap.body));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }

  /** Stops answering (idempotent). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function until<T>(
  what: string,
  fn: () => T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
