// The store's device-credential part on Redis (credential-port.ts). Every key shares the
// {devices} hash tag with the registry, so a retirement (registration, secret, mark, version)
// is one Lua call on one slot (lua/retireDevice-4.lua).

import type { CredentialStore, DeviceSecretEntry } from './ports/credentials.js';
import type { RedisClient } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';
import type { Scripts } from './redis-scripts.js';

export class RedisCredentialStore implements CredentialStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
  ) {}

  async setSecret(deviceId: string, hash: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.deviceSecrets(), deviceId, hash)
      .hdel(this.keys.retiredDevices(), deviceId)
      .incr(this.keys.deviceRegistryVersion())
      .exec();
  }

  async secretOf(deviceId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.deviceSecrets(), deviceId)) ?? undefined;
  }

  async secrets(): Promise<DeviceSecretEntry[]> {
    const all = await this.redis.hgetall(this.keys.deviceSecrets());
    return Object.keys(all)
      .sort()
      .map((deviceId) => ({ deviceId, hash: all[deviceId]! }));
  }

  async retire(deviceId: string, at: number): Promise<boolean> {
    const k = this.keys;
    const keys = [k.devices(), k.deviceSecrets(), k.retiredDevices(), k.deviceRegistryVersion()];
    return (await this.scripts.run('retireDevice', keys, [deviceId, at])) === 1;
  }

  async retiredAt(deviceId: string): Promise<number | undefined> {
    const at = await this.redis.hget(this.keys.retiredDevices(), deviceId);
    return at === null ? undefined : Number(at);
  }

  async version(): Promise<number> {
    return Number((await this.redis.get(this.keys.deviceRegistryVersion())) ?? 0);
  }
}
