// Small helpers both adapters share.
import type { Device } from './port.js';

/** Only the port's fields: a caller's object may carry more than a device row should keep. */
export function deviceOf(d: Device): Device {
  return {
    deviceId: d.deviceId,
    operatorId: d.operatorId,
    profile: d.profile,
    routeId: d.routeId,
    stationId: d.stationId,
    venueId: d.venueId,
    // Kept only when there are any, so devices registered before 0161 read back unchanged.
    ...(d.routes && d.routes.length > 0 ? { routes: [...d.routes] } : {}),
    ...(d.publicKey ? { publicKey: d.publicKey } : {}),
  };
}

export function checkPartition(partition: number, partitions: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitions)
    throw new RangeError(`outbox partition ${partition} is not in 0..${partitions - 1}`);
}
