// Keeps the broker's password file in step with the device registry (docs/decisions/0170).
// Any gateway instance may enrol, rotate or retire a device, so each instance polls the
// registry version in the store every second and rewrites its registry's part of the password
// file when the version moved; a change made through this instance is written at once. The
// same poll tells the ingest's device cache to forget, so a retired device's batches are
// refused by every instance within a second.

import type { Logger } from '../log.js';
import type { CredentialStore } from '../store/ports/credentials.js';
import { type BrokerFiles, partExists, syncBroker, writePart } from './files.js';
import { passwdLine } from './passwd.js';

export interface RegistrySyncOptions {
  credentials: CredentialStore;
  /** Absent: only the version poll (device caches), no broker files (e.g. the embedded broker). */
  files?: BrokerFiles;
  /** This registry's part name in the password file (one per registry, not per instance). */
  part: string;
  pollMs: number;
  log: Logger;
  /** Called after the registry version moved (the device cache forgets). */
  onChange: () => void;
}

export class RegistrySync {
  private timer: NodeJS.Timeout | undefined;
  private seen = -1;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RegistrySyncOptions) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.opts.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A change made through this instance: written now, not at the next poll. */
  kick(): void {
    void this.check();
  }

  /** One check at a time; a check asked for meanwhile runs after it. */
  check(): Promise<void> {
    this.running = this.running.then(() => this.once());
    return this.running;
  }

  private async once(): Promise<void> {
    const { opts } = this;
    try {
      const version = await opts.credentials.version();
      // A part someone removed (an operator, a test's clean-up) is written again at once.
      const missing = opts.files !== undefined && !partExists(opts.files.passwordFile, opts.part);
      if (version !== this.seen || missing) {
        this.seen = version;
        opts.onChange();
        if (opts.files) {
          const entries = await opts.credentials.secrets();
          const content = entries.map((e) => passwdLine(e.deviceId, e.hash)).join('');
          writePart(opts.files.passwordFile, opts.part, '.passwd', content);
          opts.log.info({ devices: entries.length, version }, 'broker password file part written');
        }
      }
      // Every time, not only on a change: another writer's rebuild may have raced ours.
      if (opts.files && syncBroker(opts.files)) opts.log.info('broker reloaded its password and ACL files');
    } catch (err) {
      opts.log.warn({ err }, 'syncing the broker password file failed; retrying at the next poll');
    }
  }
}
