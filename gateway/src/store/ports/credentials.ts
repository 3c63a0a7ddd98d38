// The store's device-credential part (Store.credentials, docs/decisions/0170): each device's
// secret hash (Mosquitto `$7$` form), the retired devices, and a registry version that moves on
// every change, so every gateway instance notices a change made through any other within its
// poll (the broker's password file, the device caches). One contract suite
// (test/gateway/store/contract-credentials.ts) runs against both adapters.

export interface DeviceSecretEntry {
  deviceId: string;
  hash: string;
}

export interface CredentialStore {
  /** Sets (or replaces) the device's secret hash, forgets a retirement of that id, bumps the version. */
  setSecret(deviceId: string, hash: string): Promise<void>;
  /** The device's secret hash; undefined: none (never issued, or retired). */
  secretOf(deviceId: string): Promise<string | undefined>;
  /** Every device's hash, by device id: what the broker's password file holds. */
  secrets(): Promise<DeviceSecretEntry[]>;
  /**
   * Retires the device in one atomic step: its registration and secret gone, the id marked
   * retired at `at`, the version bumped. False when no such device was registered (no change).
   */
  retire(deviceId: string, at: number): Promise<boolean>;
  /** When the id was retired; undefined: not retired (or enrolled again since). */
  retiredAt(deviceId: string): Promise<number | undefined>;
  /** Moves on every setSecret and retire; 0 before any. */
  version(): Promise<number>;
}
