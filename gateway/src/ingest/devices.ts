// Which devices may send taps: the registry in the store, cached briefly so the hot path does
// not ask the store for every batch. A device registered a moment ago is seen within the
// negative-cache time (its batches are dead-lettered meanwhile and resent by the device).
// Both caches are bounded LRUs (docs/decisions/0160): device ids arrive in topics anyone on
// the broker can make up, so an unbounded map of them is memory an attacker can fill.
import { LRUCache } from 'lru-cache';
import type { Device, Store } from '../store/port.js';

const HIT_TTL_MS = 30_000;
const MISS_TTL_MS = 2_000;

export interface DeviceCacheBounds {
  /** Registered devices held (ONECARD_FLEET_MAX_DEVICES). */
  maxDevices: number;
  /** Unknown ids remembered as unknown (ONECARD_DEVICE_MISS_CACHE_MAX). */
  maxMisses: number;
}

/** The configuration's defaults (gateway/src/config.ts). */
const DEFAULT_BOUNDS: DeviceCacheBounds = { maxDevices: 100_000, maxMisses: 10_000 };

export class DeviceRegistry {
  private readonly hits: LRUCache<string, Device>;
  /** Unknown ids; true when the id is a retired device's (its batches say so: DEVICE_RETIRED). */
  private readonly misses: LRUCache<string, boolean>;

  constructor(
    private readonly store: Store,
    now: () => number,
    bounds: DeviceCacheBounds = DEFAULT_BOUNDS,
  ) {
    // The TTLs run on the injected clock, read on every check (ttlResolution 0: lru-cache
    // would otherwise reuse one reading until a timer clears it).
    const ttl = { perf: { now }, ttlResolution: 0 };
    this.hits = new LRUCache({ max: bounds.maxDevices, ttl: HIT_TTL_MS, ...ttl });
    this.misses = new LRUCache({ max: bounds.maxMisses, ttl: MISS_TTL_MS, ...ttl });
  }

  async get(deviceId: string): Promise<Device | undefined> {
    const hit = this.hits.get(deviceId);
    if (hit) return hit;
    if (this.misses.has(deviceId)) return undefined;
    const [device, retiredAt] = await Promise.all([
      this.store.getDevice(deviceId),
      this.store.credentials.retiredAt(deviceId),
    ]);
    if (device) this.hits.set(deviceId, device);
    else this.misses.set(deviceId, retiredAt !== undefined);
    return device;
  }

  /** Why an id get() found no device for is refused (decision 0170). */
  refusal(deviceId: string): 'DEVICE_RETIRED' | 'UNKNOWN_DEVICE' {
    return this.misses.get(deviceId) ? 'DEVICE_RETIRED' : 'UNKNOWN_DEVICE';
  }

  /** Forgets everything: the registry changed through some gateway instance (its version moved). */
  clear(): void {
    this.hits.clear();
    this.misses.clear();
  }

  /** Called when a device is (re)registered through the API. */
  forget(deviceId: string): void {
    this.hits.delete(deviceId);
    this.misses.delete(deviceId);
  }

  /** Entries held, for tests and metrics: never more than the bounds. */
  size(): { devices: number; misses: number } {
    return { devices: this.hits.size, misses: this.misses.size };
  }
}
