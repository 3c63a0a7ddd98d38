// Which devices may send taps: the registry in the store, cached briefly so the hot path does
// not ask the store for every batch. A device registered a moment ago is seen within the
// negative-cache time (its batches are dead-lettered meanwhile and resent by the device).
import type { Device, Store } from '../store/port.js';

const HIT_TTL_MS = 30_000;
const MISS_TTL_MS = 2_000;

export class DeviceRegistry {
  private readonly cache = new Map<string, { device: Device | undefined; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  async get(deviceId: string): Promise<Device | undefined> {
    const t = this.now();
    const hit = this.cache.get(deviceId);
    if (hit && hit.until > t) return hit.device;
    const device = await this.store.getDevice(deviceId);
    this.cache.set(deviceId, { device, until: t + (device ? HIT_TTL_MS : MISS_TTL_MS) });
    return device;
  }

  /** Called when a device is (re)registered through the API. */
  forget(deviceId: string): void {
    this.cache.delete(deviceId);
  }
}
