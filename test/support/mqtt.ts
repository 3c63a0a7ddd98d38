// MQTT credentials for tests, in one place (docs/decisions/0170): the test broker runs the
// shipped configuration (no anonymous access, per-device ACL, client id = username), so every
// client a suite connects has a user of its own:
// - a device: enrolled through the gateway's API (POST /v1/devices), which answers its secret
//   and writes it to the broker's password file;
// - a gateway instance or a suite's watcher (several devices at once, every topic): a service
//   user with the gateways' rights, made for this suite (its own password- and ACL-file part).
// New users reach the broker on its reload; connectWhenAccepted waits for that (bounded).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type BrokerFiles, removePart, syncBroker, writePart } from '../../gateway/src/broker/files.js';
import { hashSecret, passwdLine } from '../../gateway/src/broker/passwd.js';
import type { GatewayConfig } from '../../gateway/src/config.js';
import { silentLogger } from '../../gateway/src/log.js';
import type { MqttLinkOptions } from '../../gateway/src/mqtt/link.js';
import { testEnv, uniqueId } from './env.js';

export interface MqttCredentials {
  username: string;
  password: string;
}

/** A registered device's credentials, as POST /v1/devices answered them. */
export interface EnrolledDevice extends MqttCredentials {
  deviceId: string;
  /** For `Authorization: Device <credential>` and ONECARD_EDGE_GATEWAY_CREDENTIAL. */
  credential: string;
}

export function brokerFiles(): BrokerFiles {
  return {
    passwordFile: testEnv.mqttPasswordFile(),
    aclFile: testEnv.mqttAclFile(),
    // No signal from the suites: the broker's supervisor reloads it when the files change, at
    // most twice a second (scripts/mosquitto-supervise.sh; Mosquitto 2.0.11 crashed under a
    // storm of reloads, one per enrolment of every suite running at once).
    pidFile: '',
  };
}

/** A service user removed again by remove() (a crashed suite leaves a small part behind). */
export interface ServiceUser extends MqttCredentials {
  remove(): void;
}

/**
 * A new user with the gateways' rights (deploy/mosquitto/gateway-user.acl): for a gateway
 * instance, or a suite that plays several devices or watches every topic.
 */
export function serviceUser(prefix = 'svc'): ServiceUser {
  const username = uniqueId(prefix);
  const password = randomBytes(24).toString('base64url');
  const files = brokerFiles();
  const acl = readFileSync(`${testEnv.root}/deploy/mosquitto/gateway-user.acl`, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .replaceAll('@USER@', username);
  writePart(files.passwordFile, `zz-${username}`, '.passwd', passwdLine(username, hashSecret(password)));
  writePart(files.aclFile, `zz-${username}`, '.acl', acl);
  syncBroker(files);
  return {
    username,
    password,
    remove() {
      removePart(files.passwordFile, `zz-${username}`, '.passwd');
      removePart(files.aclFile, `zz-${username}`, '.acl');
      syncBroker(files);
    },
  };
}

/**
 * A device the broker knows without a gateway (its own part of the password file, written as
 * the gateway's registry sync would): for edge-agent suites that play the gateway themselves.
 */
export function brokerDevice(deviceId: string): EnrolledDevice & { remove(): void } {
  const secret = randomBytes(32).toString('base64url');
  const files = brokerFiles();
  const part = `zz-dev-${deviceId}`;
  writePart(files.passwordFile, part, '.passwd', passwdLine(deviceId, hashSecret(secret)));
  syncBroker(files);
  return {
    deviceId,
    username: deviceId,
    password: secret,
    credential: `${deviceId}.${secret}`,
    remove() {
      removePart(files.passwordFile, part, '.passwd');
      syncBroker(files);
    },
  };
}

/**
 * Gateway configuration for the test broker: its own MQTT user, and the registry sync writing
 * this store's devices to the broker's password file (a part of its own).
 */
export function gatewayBrokerConfig(user: MqttCredentials, part: string): Partial<GatewayConfig> {
  const files = brokerFiles();
  return {
    mqttUsername: user.username,
    mqttPassword: user.password,
    brokerPasswordFile: files.passwordFile,
    brokerAclFile: files.aclFile,
    brokerPidFile: files.pidFile,
    brokerPasswordPart: part,
  };
}

/** Removes a gateway's device part (its store is gone with the suite). */
export function removeRegistryPart(part: string): void {
  const files = brokerFiles();
  removePart(files.passwordFile, part, '.passwd');
  syncBroker(files);
}

/** Registers (or enrols anew) a device through the API, as an operator: its credentials. */
export async function enrolDevice(
  gatewayUrl: string,
  authorization: string,
  device: { deviceId: string; operatorId: string; profile: string } & Record<string, unknown>,
): Promise<EnrolledDevice> {
  const r = await fetch(`${gatewayUrl}/v1/devices`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(device),
  });
  const body = (await r.json()) as { secret?: string; credential?: string; mqttUsername?: string };
  if (r.status !== 201 || !body.secret || !body.credential)
    throw new Error(`enrolling ${device.deviceId}: ${r.status} ${JSON.stringify(body)}`);
  return {
    deviceId: device.deviceId,
    username: body.mqttUsername ?? device.deviceId,
    password: body.secret,
    credential: body.credential,
  };
}

const REFUSED = /not authori[sz]ed|bad user ?name or password|connection refused/i;

/**
 * Connects with the credentials once the broker knows them: a user written a moment ago
 * exists for the broker after its reload, so a refusal is retried (re-syncing the files, in
 * case two writers raced) until `ms` have passed. MQTT 5 unless options say otherwise.
 */
export async function connectWhenAccepted(
  creds: MqttCredentials,
  options: IClientOptions = {},
  url = testEnv.mqttUrl(),
  ms = 10_000,
): Promise<MqttClient> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const client = await mqtt.connectAsync(url, {
        protocolVersion: 5,
        connectTimeout: 5000,
        ...options,
        reconnectPeriod: 0,
        clientId: creds.username,
        username: creds.username,
        password: creds.password,
      });
      // Once in, a lost connection is retried like mqtt.js does by default.
      client.options.reconnectPeriod = options.reconnectPeriod ?? 1000;
      return client;
    } catch (err) {
      if (!REFUSED.test((err as Error).message) || Date.now() > end) throw err;
      syncBroker(brokerFiles());
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * A client with the gateways' rights under a user made for it, removed when the client ends:
 * for a suite that plays several devices with one connection, or watches their topics.
 */
export async function connectAsService(prefix = 'svc', options: IClientOptions = {}): Promise<MqttClient> {
  const user = serviceUser(prefix);
  const client = await connectWhenAccepted(user, options);
  client.once('end', () => user.remove());
  return client;
}

/**
 * Whether Nagle is off (TCP_NODELAY) on a client's current socket. Node keeps what setNoDelay
 * last set under an internal symbol and has no getter; a fresh socket reads false there, so
 * this tells a set socket from one never set (docs/decisions/0224).
 */
export function noDelayOf(client: MqttClient): boolean {
  const socket = client.stream as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kSetNoDelay');
  if (!key) throw new Error('this Node keeps no kSetNoDelay on its sockets: update noDelayOf');
  return socket[key] === true;
}

/**
 * A gateway MQTT link's options for a suite's own user, on a share group of its own, that takes
 * whatever it is dealt and does nothing with it: for a suite that tests the link itself.
 */
export function quietLinkOptions(user: MqttCredentials): MqttLinkOptions {
  return {
    url: testEnv.mqttUrl(),
    clientId: user.username,
    username: user.username,
    password: user.password,
    protocolVersion: 5,
    shareGroup: uniqueId('g'),
    concurrency: 4,
    maxPacketBytes: 64 * 1024,
    log: silentLogger,
    onTaps: async () => {},
    onStatus: () => {},
  };
}
