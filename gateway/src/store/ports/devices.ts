// The device registry: what each edge device is and where it stands (ingest checks every
// batch against it; auth/tenancy.ts scopes operators by it).

export interface Device {
  deviceId: string;
  operatorId: string;
  profile: string;
  routeId: string;
  stationId: string;
  venueId: string;
  /**
   * More routes a bus validator may report besides routeId (docs/decisions/0161); absent: the
   * registered route only.
   */
  routes?: string[];
  /**
   * The device's Ed25519 public key, 64 hex chars: every TapBatch it sends is signed with the
   * private key, which the gateway never stores (docs/decisions/0173). Absent on a device
   * registered before batches were signed: its batches are refused until it is re-registered.
   */
  publicKey?: string;
}

export interface DeviceStore {
  upsertDevice(device: Device): Promise<void>;
  getDevice(deviceId: string): Promise<Device | undefined>;
  listDevices(): Promise<Device[]>;
}
