// The gateway's MQTT client. Subscribes to every device's taps and status (as a shared
// subscription when several gateway instances run) and hands messages to the ingest with a
// bound on concurrent batches.
//
// Backpressure: mqtt.js sends the PUBACK for a QoS 1 message when handleMessage calls back, and
// reads no further packet until then. We call back at once while fewer than `concurrency`
// batches are in flight, so batches pipeline into the store; when the bound is reached we call
// back only when a slot frees, so the broker (not our heap) holds the excess. The PUBACK is not
// what makes a tap safe: the device keeps every tap until it gets our BatchAck after commit.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { sharedFilter, topics } from '../../../core/topics.js';
import type { Logger } from '../log.js';

export interface MqttLinkOptions {
  url: string;
  clientId: string;
  /** This instance's broker user (decision 0170); absent: anonymous (embedded broker). */
  username?: string;
  password?: string;
  /** PEM CA for an mqtts:// broker. */
  ca?: Buffer;
  protocolVersion: 4 | 5;
  shareGroup: string;
  concurrency: number;
  /** Largest MQTT packet this client accepts (MQTT 5; see maxPacketBytesFor). */
  maxPacketBytes: number;
  log: Logger;
  onTaps: (topic: string, payload: Buffer) => Promise<void>;
  /** Never rejects (Fleet.onStatus catches); the PUBACK does not wait for it. */
  onStatus: (topic: string, payload: Buffer) => Promise<void> | void;
}

/** The credentials and CA the configuration names, as link options (nothing when unset). */
export function mqttCredentialsOf(c: {
  mqttUsername: string;
  mqttPassword: string;
  mqttCaFile: string;
}): Pick<MqttLinkOptions, 'username' | 'password' | 'ca'> {
  return {
    ...(c.mqttUsername ? { username: c.mqttUsername, password: c.mqttPassword } : {}),
    ...(c.mqttCaFile ? { ca: readFileSync(c.mqttCaFile) } : {}),
  };
}

/** A URL fit for a log line: any user and password in it replaced (never logged). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Room for the fixed header, the topic and the properties of a PUBLISH around a batch: topics
 * are short (core/topics.ts) and the gateway's own subscriptions carry no user properties.
 */
export const PACKET_ENVELOPE_BYTES = 4096;

/** The packet size that lets the largest accepted batch through and nothing much larger. */
export function maxPacketBytesFor(maxBatchBytes: number): number {
  return maxBatchBytes + PACKET_ENVELOPE_BYTES;
}

/**
 * Nagle's algorithm off (TCP_NODELAY) on every connection the client makes, from its CONNACK on
 * (docs/decisions/0224). A batch, its PUBACK and its BatchAck are each one small write; with
 * Nagle on, a write waits while an earlier one is unacknowledged, and the peer's delayed ACK
 * holds that for up to 40 ms on Linux. Through the shipped Mosquitto on loopback at 200 round
 * trips a second: p50 34 ms and p99 71 ms with Nagle on everywhere; 0.4 ms and 7–14 ms with it
 * off in the clients and the broker (`set_tcp_nodelay`, deploy/mosquitto/mosquitto.conf).
 * TCP and TLS sockets have setNoDelay; a WebSocket stream has not and is left as it is.
 */
export function withoutNagle(client: MqttClient): MqttClient {
  client.on('connect', () => (client.stream as Partial<Socket>).setNoDelay?.(true));
  return client;
}

export class MqttLink {
  private client: MqttClient | undefined;
  private inflight = 0;
  private corked = false;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly opts: MqttLinkOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const { opts } = this;
    const options: IClientOptions = {
      clientId: opts.clientId,
      ...(opts.username !== undefined ? { username: opts.username, password: opts.password ?? '' } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
      protocolVersion: opts.protocolVersion,
      // A clean session that ends with the connection, on purpose (docs/decisions/0160). While a
      // session lives on, the broker keeps dealing this instance its share of the shared
      // subscription (Mosquitto queues for offline members), so a crashed or retired instance
      // would sit on 1/N of the devices' batches until its session expired. With MQTT 5 that
      // takes both clean start and a session expiry interval of 0: clean start alone only
      // drops an old session at connect. Devices resend unacked batches (the journal is the
      // source of truth), so whatever was in flight to a dead instance reaches a live one.
      clean: true,
      reconnectPeriod: 1000,
      // A refused CONNECT (not authorised) is retried like a lost link: credentials issued a
      // moment ago reach the broker at its next reload (docs/decisions/0170), and a rotated
      // secret must not leave a device silent for good.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      // mqtt-packet's table of every 16-bit number as a 2-byte Buffer, made at the first write
      // and kept for good: 65,536 Buffer objects, a quarter of the gateway's heap objects, which
      // every full collection marks again (docs/decisions/0240). Without it a packet id or a
      // length is a small Buffer made as it is written: a few a packet, a few thousand a second.
      writeCache: false,
      ...(opts.protocolVersion === 5
        ? {
            properties: {
              sessionExpiryInterval: 0,
              receiveMaximum: 1000,
              // MQTT 5 §3.1.2.11.4: the broker must not send us a larger packet; it drops it
              // for us instead, so junk past the batch limit never reaches the ingest.
              maximumPacketSize: opts.maxPacketBytes,
            },
          }
        : {}),
    };
    const client = withoutNagle(mqtt.connect(opts.url, options));
    this.client = client;
    client.handleMessage = (packet, callback) => {
      this.corkTurn();
      const topic = packet.topic;
      const payload = packet.payload as Buffer;
      if (topic.endsWith('/status')) {
        void opts.onStatus(topic, payload);
        callback();
        return;
      }
      this.acquire().then(() => {
        callback();
        opts.onTaps(topic, payload).finally(() => this.release());
      });
    };
    client.on('error', (err) => opts.log.warn({ err: err.message }, 'mqtt error'));
    client.on('offline', () => opts.log.warn('mqtt offline'));
    client.on('connect', (ack) => {
      opts.log.info({ sessionPresent: ack.sessionPresent }, 'mqtt connected');
      // Subscribe on every connect: a broker that lost our session (restart without
      // persistence) would otherwise leave us deaf.
      const share = (f: string) => (opts.shareGroup ? sharedFilter(opts.shareGroup, f) : f);
      client.subscribe(
        { [share(topics.filters.taps)]: { qos: 1 }, [topics.filters.status]: { qos: 1 } },
        (err) => err && opts.log.error({ err: err.message }, 'subscribe failed'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`MQTT broker at ${redactUrl(opts.url)} did not answer within 15 s`)),
        15_000,
      );
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async publish(topic: string, payload: Uint8Array, retain = false): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('mqtt link not started');
    await client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), {
      qos: 1,
      retain,
    });
  }

  /**
   * QoS 1 publish that does not wait for the broker's PUBACK: used for batch acks from inside
   * the ingest. Waiting there would deadlock once the ingest is saturated, because mqtt.js reads
   * incoming PUBACKs on the same packet stream that handleMessage is then holding back. mqtt.js
   * still retries the message until the broker acknowledges it; a lost ack only makes the
   * device resend, and the resend is answered from the dedupe record.
   */
  send(topic: string, payload: Uint8Array): void {
    const client = this.client;
    if (!client) throw new Error('mqtt link not started');
    this.corkTurn();
    client.publish(
      topic,
      Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
      { qos: 1 },
      (err) => {
        if (err) this.opts.log.warn({ topic, err: err.message }, 'ack not published; the device will resend');
      },
    );
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // Let queued acks go out for a moment, then close regardless: anything unsent is resent
    // by the devices, so a stuck broker must never keep the process from stopping.
    const graceful = client.endAsync(false);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2000).unref());
    if ((await Promise.race([graceful, timeout])) === 'timeout') await client.endAsync(true);
  }

  /**
   * Holds what the client writes until this turn of the event loop ends, then sends it as one
   * write (docs/decisions/0239). A PUBACK goes out when its batch is taken on and an ack when its
   * commit is done, each a 4-byte or few-KB packet that mqtt.js writes on its own: at the max
   * rate ~1,000 lone 4-byte writes a second, each a syscall and a wake-up of the broker. Corked
   * from the first write of a turn to its end (setImmediate: after the I/O callbacks and
   * microtasks of the turn), every PUBACK and ack of the turn leaves in one writev. No write
   * waits longer than the turn it was made in.
   */
  private corkTurn(): void {
    if (this.corked) return;
    const stream = this.client?.stream as Partial<Socket> | undefined;
    if (!stream?.cork || !stream.uncork || stream.writableEnded) return;
    stream.cork();
    this.corked = true;
    setImmediate(() => {
      this.corked = false;
      stream.uncork!();
    });
  }

  private acquire(): Promise<void> {
    if (this.inflight < this.opts.concurrency) {
      this.inflight++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.inflight++;
        resolve();
      }),
    );
  }

  private release(): void {
    this.inflight--;
    this.waiting.shift()?.();
  }
}
