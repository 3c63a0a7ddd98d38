// Every MQTT topic of the system, in one typed map (docs/topics.md explains them for firmware
// authors). The base prefix is added here and nowhere else; device topics always carry the
// operator and the device id so broker ACLs can confine a device to its own subtree
// (Mosquitto: `pattern write onecard/v1/+/%u/#`).

import { type ListKind, listKinds } from '../protos/codec.js';
import { isScope } from './lists/envelope.js';

export const TOPIC_PREFIX = 'onecard/v1';

/** Operator and device ids: what may stand in a topic level (no wildcards, no slashes). */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Topic levels the system uses itself under the prefix; no operator may be called so. */
const RESERVED_OPERATOR_IDS = new Set(['lists']);

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}

function isValidOperatorId(id: string): boolean {
  return isValidId(id) && !RESERVED_OPERATOR_IDS.has(id);
}

function deviceTopic(operatorId: string, deviceId: string, leaf: string): string {
  if (!isValidOperatorId(operatorId) || !isValidId(deviceId)) {
    throw new Error(`invalid operator or device id for a topic: ${operatorId}/${deviceId}`);
  }
  return `${TOPIC_PREFIX}/${operatorId}/${deviceId}/${leaf}`;
}

function listTopic(kind: ListKind, scope: string, leaf: 'delta' | 'head'): string {
  if (!listKinds.names.includes(kind) || !isScope(scope))
    throw new Error(`invalid list for a topic: ${kind}/${scope}`);
  return `${TOPIC_PREFIX}/lists/${kind}/${scope}/${leaf}`;
}

export const topics = {
  /** Device → gateway: TapBatch, QoS 1. */
  taps: (operatorId: string, deviceId: string) => deviceTopic(operatorId, deviceId, 'taps'),
  /** Gateway → device: BatchAck, QoS 1. */
  ack: (operatorId: string, deviceId: string) => deviceTopic(operatorId, deviceId, 'ack'),
  /** Device → gateway: DeviceStatus, retained, QoS 1; also the device's last will. */
  status: (operatorId: string, deviceId: string) => deviceTopic(operatorId, deviceId, 'status'),
  /** Gateway → devices: SignedList delta of one list (kind, scope: "all" or a venue id), QoS 1. */
  listDelta: (kind: ListKind, scope: string) => listTopic(kind, scope, 'delta'),
  /** Gateway → devices: SignedList head (newest version), retained, QoS 1. */
  listHead: (kind: ListKind, scope: string) => listTopic(kind, scope, 'head'),
  /** Gateway subscription filters (wildcards only here, never in a publish). */
  filters: {
    taps: `${TOPIC_PREFIX}/+/+/taps`,
    status: `${TOPIC_PREFIX}/+/+/status`,
  },
} as const;

/** Splits a device topic into its ids; undefined for anything else. */
export function parseDeviceTopic(
  topic: string,
): { operatorId: string; deviceId: string; leaf: string } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_PREFIX) return undefined;
  const [, , operatorId, deviceId, leaf] = parts as [string, string, string, string, string];
  if (!isValidOperatorId(operatorId) || !isValidId(deviceId)) return undefined;
  return { operatorId, deviceId, leaf };
}

/** MQTT 5 shared subscription: several gateway instances split the devices' traffic. */
export function sharedFilter(group: string, filter: string): string {
  return `$share/${group}/${filter}`;
}
