// The device's MQTT client (mqtt.js 5). A persistent session (clean: false, clientId = device
// id), so acks and deny deltas sent while the device is offline wait for it at the broker;
// an offline DeviceStatus registered as the last will, so a lost link shows at the gateway
// after the broker's keep-alive timeout (Sparkplug B's death certificate, borrowed).
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../log.js';

export interface EdgeLinkOptions {
  url: string;
  clientId: string;
  /** The device's broker user and secret (decision 0170); absent: anonymous (embedded broker). */
  username?: string;
  password?: string;
  /** PEM CA for an mqtts:// broker. */
  ca?: Buffer;
  protocolVersion: 4 | 5;
  sessionExpirySec: number;
  reconnectMs: number;
  log: Logger;
  /** Subscribed at QoS 1 on every connect. */
  subscriptions: readonly string[];
  will: { topic: string; payload: Uint8Array };
  onMessage: (topic: string, payload: Buffer) => void;
  /** Connected and subscribed. */
  onUp: () => void;
  /** The connection is gone (mqtt.js keeps reconnecting). */
  onDown: () => void;
}

/**
 * The broker credentials the configuration gives: the enrolment's secret (the part of
 * gatewayCredential after the device id) unless a password is set; none at all when neither is
 * (the embedded demo broker is anonymous).
 */
export function mqttCredentials(c: {
  deviceId: string;
  mqttUsername: string;
  mqttPassword: string;
  mqttCaFile: string;
  gatewayCredential: string;
}): Pick<EdgeLinkOptions, 'username' | 'password' | 'ca'> {
  const fromCredential = c.gatewayCredential.startsWith(`${c.deviceId}.`)
    ? c.gatewayCredential.slice(c.deviceId.length + 1)
    : '';
  const password = c.mqttPassword || fromCredential;
  return {
    ...(password ? { username: c.mqttUsername || c.deviceId, password } : {}),
    ...(c.mqttCaFile ? { ca: readFileSync(c.mqttCaFile) } : {}),
  };
}

/** How long an orderly stop waits for the broker before dropping the connection. */
const END_TIMEOUT_MS = 3000;

export class EdgeLink {
  private client: MqttClient | undefined;
  private up = false;

  constructor(private readonly opts: EdgeLinkOptions) {}

  get connected(): boolean {
    return this.up;
  }

  /** Starts connecting and returns at once: the device works offline until the link is up. */
  start(): void {
    const { opts } = this;
    const options: IClientOptions = {
      clientId: opts.clientId,
      ...(opts.username !== undefined ? { username: opts.username, password: opts.password ?? '' } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
      protocolVersion: opts.protocolVersion,
      clean: false,
      reconnectPeriod: opts.reconnectMs,
      // A refused CONNECT (not authorised) is retried like a lost link: credentials issued a
      // moment ago reach the broker at its next reload (docs/decisions/0170), and a rotated
      // secret must not leave a device silent for good.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      // We subscribe on every connect ourselves (a broker may have lost the session).
      resubscribe: false,
      will: { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), qos: 1, retain: true },
      ...(opts.protocolVersion === 5 ? { properties: { sessionExpiryInterval: opts.sessionExpirySec } } : {}),
    };
    const client = mqtt.connect(opts.url, options);
    // Nagle off on every connection (docs/decisions/0224): a batch and its ack are small writes
    // that would otherwise wait on the peer's delayed ACK, up to 40 ms each way on Linux.
    client.on('connect', () => (client.stream as Partial<Socket>).setNoDelay?.(true));
    this.client = client;
    client.on('message', (topic, payload) => opts.onMessage(topic, payload));
    client.on('error', (err) => opts.log.warn({ err: err.message }, 'mqtt error'));
    client.on('connect', (ack) => {
      opts.log.info({ sessionPresent: ack.sessionPresent }, 'mqtt connected');
      const subs = Object.fromEntries(opts.subscriptions.map((t) => [t, { qos: 1 as const }]));
      client.subscribe(subs, (err) => {
        if (err) opts.log.error({ err: err.message }, 'mqtt subscribe failed');
        if (this.client !== client || !client.connected) return;
        this.up = true;
        opts.onUp();
      });
    });
    client.on('close', () => {
      if (!this.up) return;
      this.up = false;
      opts.log.warn('mqtt link down');
      opts.onDown();
    });
  }

  /** QoS 1; resolves on PUBACK. */
  async publish(topic: string, payload: Uint8Array, retain = false): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('mqtt link not started');
    await client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), {
      qos: 1,
      retain,
    });
  }

  /** Disconnects (the session stays at the broker for the next start). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.up = false;
    if (!client) return;
    client.removeAllListeners('message');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), END_TIMEOUT_MS);
    });
    const ended = await Promise.race([client.endAsync(false).then(() => 'ended' as const), timeout]);
    clearTimeout(timer);
    if (ended === 'timeout') await client.endAsync(true);
    client.removeAllListeners();
    // A late socket error after the end must not become an unhandled 'error' event.
    client.on('error', () => {});
  }
}
