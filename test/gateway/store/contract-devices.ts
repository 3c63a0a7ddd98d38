// The device registry.
import { describe, expect, it } from 'vitest';
import type { Device, DeviceStore } from '../../../gateway/src/store/port.js';
import type { StoreHarness } from './harness.js';

function device(deviceId: string, routeId = 'r1'): Device {
  return { deviceId, operatorId: 'bus-co', profile: 'bus_validator', routeId, stationId: '', venueId: '' };
}

export function devicesContract(h: StoreHarness<DeviceStore>): void {
  describe('devices', () => {
    it('registers, replaces and lists devices by id', async () => {
      const store = h.store();
      await store.upsertDevice(device('bus-2'));
      await store.upsertDevice(device('bus-1'));
      await store.upsertDevice(device('bus-2', 'r9'));
      expect(await store.getDevice('bus-2')).toEqual(device('bus-2', 'r9'));
      expect(await store.listDevices()).toEqual([device('bus-1'), device('bus-2', 'r9')]);
    });

    it('keeps the extra routes a device may report, and drops an empty list (0161)', async () => {
      const store = h.store();
      await store.upsertDevice({ ...device('bus-3'), routes: ['r2', 'r3'] });
      await store.upsertDevice({ ...device('bus-4'), routes: [] });
      expect(await store.getDevice('bus-3')).toEqual({ ...device('bus-3'), routes: ['r2', 'r3'] });
      expect(await store.getDevice('bus-4')).toEqual(device('bus-4'));
      await store.upsertDevice(device('bus-3'));
      expect(await store.listDevices()).toEqual([device('bus-3'), device('bus-4')]);
    });

    it('keeps the device public key with the registration, and a re-registration replaces it (0173)', async () => {
      const store = h.store();
      const first = 'a1'.repeat(32);
      const second = 'b2'.repeat(32);
      await store.upsertDevice({ ...device('bus-5'), publicKey: first });
      expect(await store.getDevice('bus-5')).toEqual({ ...device('bus-5'), publicKey: first });
      await store.upsertDevice({ ...device('bus-5'), publicKey: second });
      expect(await store.listDevices()).toEqual([{ ...device('bus-5'), publicKey: second }]);
      // Never anything a caller's object carries besides the port's fields (a private key, say).
      await store.upsertDevice({ ...device('bus-6'), privateKey: 'c3'.repeat(32) } as never);
      expect(await store.getDevice('bus-6')).toEqual(device('bus-6'));
    });

    it('answers undefined for a device never registered', async () => {
      expect(await h.store().getDevice('nobody')).toBeUndefined();
      expect(await h.store().listDevices()).toEqual([]);
    });
  });
}
