// A gateway with every optional area on (venues from files, QR issuing), for the suites that
// must see every route: the schema-bounds check and the HTTP fuzz run. SQLite store in a temp
// folder, the test Mosquitto, tenant accounts of two venue operators and one transit operator.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '../../gateway/src/config.js';
import { startTestGateway, type TestGateway } from './gateway.js';

export const FULL_KEY = 'f5'.repeat(32);

const museum = {
  id: 'fuzz-museum',
  name: 'Fuzz museum',
  kind: 'museum',
  operatorId: 'museums',
  openMin: 540,
  closeMin: 1020,
  slots: [{ startMin: 540, endMin: 660, capacity: 3 }],
  booking: { horizonDays: 7, maxParty: 2, seniorWalkInQuota: 1 },
  products: [{ id: 'visit', name: 'Visit', kind: 'reservation', priceFen: 0 }],
};
const park = {
  id: 'fuzz-park',
  name: 'Fuzz park',
  kind: 'scenic',
  operatorId: 'parks',
  openMin: 0,
  closeMin: 1440,
  booking: { horizonDays: 7, maxParty: 5 },
  capacity: { daily: 1000, instant: 5 },
  products: [{ id: 'day', name: 'Day ticket', kind: 'ticket', priceFen: 3000, freeFor: ['SENIOR'] }],
};

export async function startFullGateway(): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-full-'));
  mkdirSync(join(dir, 'venues', 'city'), { recursive: true });
  writeFileSync(join(dir, 'venues', 'city', 'museum.json'), JSON.stringify(museum));
  writeFileSync(join(dir, 'venues', 'city', 'park.json'), JSON.stringify(park));
  return startTestGateway(
    {
      tokenKeyHex: FULL_KEY,
      qrSigningKeys: `1:${'12'.repeat(32)}`,
      venuesDir: join(dir, 'venues'),
      // Notifications reach the signature check (no provider URL: orders answer 503).
      paymentProviderPublicKeyHex: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      // To see what a failing request did: ONECARD_TEST_LOG=error (or debug).
      ...(process.env.ONECARD_TEST_LOG
        ? { logLevel: process.env.ONECARD_TEST_LOG as GatewayConfig['logLevel'] }
        : {}),
    },
    {
      dir,
      tenants: [
        { username: 'museum-ops', role: 'venue_operator', tenant: 'museums' },
        { username: 'park-ops', role: 'venue_operator', tenant: 'parks' },
        { username: 'bus-ops', role: 'transit_operator', tenant: 'busco' },
      ],
    },
  );
}
