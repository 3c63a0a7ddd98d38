// Live device health from the devices' retained status messages (and their last wills).
import { type ListKind, listKindOf } from '../../core/lists/envelope.js';
import { parseDeviceTopic } from '../../core/topics.js';
import { v1 } from '../../protos/wire.js';
import type { Logger } from './log.js';

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
  /** Gateway clock when the last status arrived. */
  lastSeenAt: number;
}

export class Fleet {
  private readonly devices = new Map<string, DeviceHealth>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  onStatus(topic: string, payload: Buffer): void {
    const ids = parseDeviceTopic(topic);
    if (!ids || payload.length === 0) return;
    try {
      const s = v1.DeviceStatus.decode(payload);
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
          const kind = listKindOf(l.kind ?? 0);
          return kind
            ? [{ kind, scope: l.scope ?? '', version: Number(l.version), entries: Number(l.entries) }]
            : [];
        }),
        listsRefused: Number(s.listsRefused),
        lastSeenAt: this.now(),
      });
    } catch (err) {
      this.log.warn({ topic, err: (err as Error).message }, 'malformed device status ignored');
    }
  }

  get(deviceId: string): DeviceHealth | undefined {
    return this.devices.get(deviceId);
  }

  all(): DeviceHealth[] {
    return [...this.devices.values()];
  }
}
