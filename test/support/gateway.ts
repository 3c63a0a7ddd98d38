// An in-process gateway for integration tests: the SQLite store in a fresh temp folder, the test
// Mosquitto with a shared-subscription group of its own (so suites never take each other's
// batches) and its own broker user (test/support/mqtt.ts), the test list-signing key and one operator account per role. Suites pass only what
// they are about (the tariff, a venues folder, a store, extra tenant accounts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Gateway, type GatewayDeps, startGateway } from '../../gateway/src/app.js';
import { type GatewayConfig, loadGatewayConfig } from '../../gateway/src/config.js';
import { testEnv, uniqueId } from './env.js';
import { LIST_KEY_ID, LIST_SEED_HEX } from './lists.js';
import { connectWhenAccepted, gatewayBrokerConfig, removeRegistryPart, serviceUser } from './mqtt.js';
import { type TenantAccount, writeOperatorsFile } from './operators.js';

export interface TestGateway {
  gw: Gateway;
  /** The gateway's temp folder (its database, operators file); suites may put files in it. */
  dir: string;
}

export async function startTestGateway(
  overrides: Partial<GatewayConfig> & { tokenKeyHex: string },
  opts: { dir?: string; tenants?: TenantAccount[]; deps?: GatewayDeps } = {},
): Promise<TestGateway> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'onecard-gw-'));
  // Its own broker user and its own part of the password file (test/support/mqtt.ts).
  const user = serviceUser('gw');
  const part = uniqueId('reg');
  await (await connectWhenAccepted(user)).endAsync();
  const gw = await startGateway(
    loadGatewayConfig(
      {},
      {
        instanceId: uniqueId('gw'),
        store: 'sqlite',
        sqliteFile: join(dir, 'gw.db'),
        mqttUrl: testEnv.mqttUrl(),
        mqttShareGroup: uniqueId('g'),
        ...gatewayBrokerConfig(user, part),
        httpPort: 0,
        listSigningKeyHex: LIST_SEED_HEX,
        listKeyId: LIST_KEY_ID,
        logLevel: 'silent',
        operatorsFile: await writeOperatorsFile(dir, opts.tenants ?? []),
        // Off unless a suite is about it: test taps are often dated long ago, and a sweep
        // between two taps would charge the open entry the suite means to close.
        tapOutSweepSec: 0,
        // Ten years, for the same reason: such taps must be inside the dedupe window (0196).
        // The suites about the window set their own.
        dedupeWindowDays: 3650,
        ...overrides,
      },
    ),
    opts.deps,
  );
  const stop = gw.stop.bind(gw);
  gw.stop = async () => {
    await stop();
    removeRegistryPart(part);
    user.remove();
  };
  return { gw, dir };
}

/**
 * Polls fn every 20 ms until it returns (or resolves to) a value, or fails after ms with what
 * was awaited.
 */
export async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
