// Live device health from the devices' retained status messages (and their last wills).
// Anyone on the broker can publish a status, so only a registered device's status under its
// own operator's topic is taken; the rest is dropped and counted. The map is a bounded LRU
// (docs/decisions/0160): status topics carry ids anyone can make up.
import { LRUCache } from 'lru-cache';
import { parseDeviceTopic } from '../../core/topics.js';
import { type ListKind, listKinds } from '../../protos/codec.js';
import { type DeviceStatus, v1 } from '../../protos/wire.js';
import type { Logger } from './log.js';

/** Why a status message was not taken (the label of onecard_device_status_dropped_total). */
export type StatusDrop = 'bad_topic' | 'unknown_device' | 'other_operator' | 'malformed';

export interface FleetOptions {
  log: Logger;
  now: () => number;
  /** The device registry (ingest/devices.ts): whose status may be taken. */
  devices: { get(deviceId: string): Promise<{ operatorId: string } | undefined> };
  /** Devices held at most; the least recently heard goes first. */
  maxDevices: number;
  onDropped?: (reason: StatusDrop) => void;
}

export interface DeviceHealth {
  deviceId: string;
  operatorId: string;
  online: boolean;
  profile: string;
  denyListVersion: number;
  journalDepth: number;
  lastAckedSeq: number;
  clockSkewMs: number;
  softwareVersion: string;
  /** Every list the device decides with, as it reported them. */
  lists: Array<{ kind: ListKind; scope: string; version: number; entries: number }>;
  /** List messages the device refused since it started (forged, replayed, malformed). */
  listsRefused: number;
  /** Acks the device ignored since it started (bad signature, another device's, wrong range). */
  acksRefused: number;
  /** Gateway clock when the last status arrived. */
  lastSeenAt: number;
}

export class Fleet {
  private readonly devices: LRUCache<string, DeviceHealth>;

  constructor(private readonly opts: FleetOptions) {
    this.devices = new LRUCache({ max: opts.maxDevices });
  }

  /** Takes a status message, or drops it (counted) unless a registered device sent it. */
  async onStatus(topic: string, payload: Buffer): Promise<void> {
    try {
      const reason = await this.take(topic, payload);
      if (reason) this.opts.onDropped?.(reason);
    } catch (err) {
      // The registry's store is away: the device's next status (they repeat) is taken.
      this.opts.log.warn({ topic, err: (err as Error).message }, 'device status not taken');
    }
  }

  private async take(topic: string, payload: Buffer): Promise<StatusDrop | undefined> {
    const ids = parseDeviceTopic(topic);
    if (ids?.leaf !== 'status') return 'bad_topic';
    // An empty retained message clears a retained status: nothing to take.
    if (payload.length === 0) return undefined;
    const device = await this.opts.devices.get(ids.deviceId);
    if (!device) return 'unknown_device';
    // The fleet is keyed by device id: a status under another operator's topic would pass for
    // that operator's device.
    if (device.operatorId !== ids.operatorId) return 'other_operator';
    let s: DeviceStatus;
    try {
      s = v1.DeviceStatus.decode(payload);
    } catch (err) {
      this.opts.log.warn({ topic, err: (err as Error).message }, 'malformed device status ignored');
      return 'malformed';
    }
    this.devices.set(ids.deviceId, {
      deviceId: ids.deviceId,
      operatorId: ids.operatorId,
      online: s.online,
      profile: s.profile,
      denyListVersion: Number(s.denyListVersion),
      journalDepth: s.journalDepth,
      lastAckedSeq: Number(s.lastAckedSeq),
      clockSkewMs: Number(s.clockSkewMs),
      softwareVersion: s.softwareVersion,
      lists: s.lists.flatMap((l) => {
        const kind = listKinds.name[l.kind ?? 0];
        return kind
          ? [{ kind, scope: l.scope ?? '', version: Number(l.version), entries: Number(l.entries) }]
          : [];
      }),
      listsRefused: Number(s.listsRefused),
      acksRefused: Number(s.acksRefused),
      lastSeenAt: this.opts.now(),
    });
    return undefined;
  }

  /** Does not count as use: reading the fleet page must not keep silent devices in the LRU. */
  get(deviceId: string): DeviceHealth | undefined {
    return this.devices.peek(deviceId);
  }

  size(): number {
    return this.devices.size;
  }

  all(): DeviceHealth[] {
    return [...this.devices.values()];
  }
}
