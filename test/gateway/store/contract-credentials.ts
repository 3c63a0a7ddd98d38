// The store's device-credential part (gateway/src/store/credential-port.ts, decision 0170):
// secret hashes, retirement in one step, and a version that moves on every change so other
// gateway instances notice. Both stores give the same answers.
import { describe, expect, it } from 'vitest';
import type { Device, DeviceStore, StoreParts } from '../../../gateway/src/store/port.js';
import { T0 } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const device = (deviceId: string): Device => ({
  deviceId,
  operatorId: 'op-1',
  profile: 'bus',
  routeId: 'r1',
  stationId: '',
  venueId: '',
});

export function credentialsContract(h: StoreHarness<DeviceStore & Pick<StoreParts, 'credentials'>>): void {
  describe('device credentials', () => {
    it('keep one hash per device, replaced on rotation, each change moving the version', async () => {
      const c = h.store().credentials;
      expect(await c.version()).toBe(0);
      expect(await c.secretOf('d1')).toBeUndefined();
      await c.setSecret('d1', '$7$101$a$b');
      await c.setSecret('d2', '$7$101$c$d');
      const v = await c.version();
      expect(v).toBeGreaterThan(0);
      await c.setSecret('d1', '$7$101$e$f');
      expect(await c.secretOf('d1')).toBe('$7$101$e$f');
      expect(await c.version()).toBeGreaterThan(v);
      expect(await c.secrets()).toEqual([
        { deviceId: 'd1', hash: '$7$101$e$f' },
        { deviceId: 'd2', hash: '$7$101$c$d' },
      ]);
    });

    it('retire a device whole: registration and secret gone, marked retired, version moved', async () => {
      const s = h.store();
      await s.upsertDevice(device('d1'));
      await s.upsertDevice(device('d2'));
      await s.credentials.setSecret('d1', '$7$101$a$b');
      await s.credentials.setSecret('d2', '$7$101$c$d');
      const v = await s.credentials.version();
      expect(await s.credentials.retire('d1', T0)).toBe(true);
      expect(await s.getDevice('d1')).toBeUndefined();
      expect(await s.credentials.secretOf('d1')).toBeUndefined();
      expect(await s.credentials.retiredAt('d1')).toBe(T0);
      expect(await s.credentials.retiredAt('d2')).toBeUndefined();
      expect(await s.credentials.version()).toBeGreaterThan(v);
      expect((await s.listDevices()).map((d) => d.deviceId)).toEqual(['d2']);
      expect(await s.credentials.secrets()).toEqual([{ deviceId: 'd2', hash: '$7$101$c$d' }]);
    });

    it('refuse to retire an unregistered device and change nothing', async () => {
      const s = h.store();
      await s.credentials.setSecret('d3', '$7$101$a$b');
      const v = await s.credentials.version();
      expect(await s.credentials.retire('ghost', T0)).toBe(false);
      expect(await s.credentials.retire('d3', T0)).toBe(false); // a secret, but no registration
      expect(await s.credentials.retiredAt('ghost')).toBeUndefined();
      expect(await s.credentials.secretOf('d3')).toBe('$7$101$a$b');
      expect(await s.credentials.version()).toBe(v);
    });

    it('forget a retirement when the id is enrolled again', async () => {
      const s = h.store();
      await s.upsertDevice(device('d1'));
      await s.credentials.setSecret('d1', '$7$101$a$b');
      await s.credentials.retire('d1', T0);
      await s.upsertDevice(device('d1'));
      await s.credentials.setSecret('d1', '$7$101$new$x');
      expect(await s.credentials.retiredAt('d1')).toBeUndefined();
      expect(await s.credentials.secretOf('d1')).toBe('$7$101$new$x');
    });
  });
}
