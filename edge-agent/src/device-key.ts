// The device's own Ed25519 key pair (docs/decisions/0173): the private key signs every
// TapBatch and never leaves the device; the public key is what the depot enrols with
// POST /v1/devices (printed by `main.ts --print-public-key` and logged at start).
// Taken from the configuration when set (a key provisioned by the depot), otherwise read from
// the key file, which is created on first start with mode 0600 (owner only).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { devicePublicKeyHex, isKeyHex, newDeviceKeyPair } from '../../core/device-keys.js';
import { ed25519 } from '../../core/ed25519.js';
import type { SignFn } from '../../protos/codec.js';

export interface DeviceKey {
  publicKey: string;
  sign: SignFn;
  /** Where the private key came from. */
  source: 'config' | 'file' | 'created' | 'memory';
}

/** A journal in memory (tests) keeps its key in memory too: no file next to ':memory:'. */
const IN_MEMORY = ':memory:';

export function loadDeviceKey(config: { deviceKey: string; deviceKeyFile: string }): DeviceKey {
  if (config.deviceKey) return fromHex(config.deviceKey, 'config');
  if (config.deviceKeyFile === '' || config.deviceKeyFile.startsWith(IN_MEMORY))
    return fromHex(newDeviceKeyPair().privateKey, 'memory');
  let text: string;
  try {
    text = readFileSync(config.deviceKeyFile, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const made = newDeviceKeyPair().privateKey;
    mkdirSync(dirname(config.deviceKeyFile), { recursive: true });
    // 'wx': never overwrite a key another start wrote a moment ago; mode 0600: owner only.
    writeFileSync(config.deviceKeyFile, `${made}\n`, { mode: 0o600, flag: 'wx' });
    return fromHex(made, 'created');
  }
  if (!isKeyHex(text)) throw new Error(`device key file ${config.deviceKeyFile} does not hold 64 hex chars`);
  return fromHex(text, 'file');
}

/** Signs with libsodium where it loads (core/ed25519.ts, docs/decisions/0226): once a batch. */
function fromHex(hex: string, source: DeviceKey['source']): DeviceKey {
  return { publicKey: devicePublicKeyHex(hex), sign: ed25519.signer(Buffer.from(hex, 'hex')), source };
}
