// The store's device-credential part on SQLite (credential-port.ts): each change in one
// immediate transaction with its version bump, so a poller never sees one without the other.
import type Database from 'better-sqlite3';
import type { CredentialStore, DeviceSecretEntry } from './ports/credentials.js';
import { preparedCache } from './sqlite-prepared.js';

const credentialSchema = `
CREATE TABLE IF NOT EXISTS device_secrets (
  device_id TEXT PRIMARY KEY,
  hash TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retired_devices (
  device_id TEXT PRIMARY KEY,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS device_registry_version (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  version INTEGER NOT NULL
);
`;

export class SqliteCredentialStore implements CredentialStore {
  private readonly sql: (text: string) => Database.Statement;
  private readonly setTx: Database.Transaction<(deviceId: string, hash: string) => void>;
  private readonly retireTx: Database.Transaction<(deviceId: string, at: number) => boolean>;

  constructor(db: Database.Database) {
    db.exec(credentialSchema);
    this.sql = preparedCache(db);
    this.setTx = db.transaction((deviceId: string, hash: string) => {
      this.sql(
        'INSERT INTO device_secrets (device_id, hash) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET hash = excluded.hash',
      ).run(deviceId, hash);
      this.sql('DELETE FROM retired_devices WHERE device_id = ?').run(deviceId);
      this.bump();
    });
    this.retireTx = db.transaction((deviceId: string, at: number) => {
      const gone = this.sql('DELETE FROM devices WHERE device_id = ?').run(deviceId).changes > 0;
      if (!gone) return false;
      this.sql('DELETE FROM device_secrets WHERE device_id = ?').run(deviceId);
      this.sql(
        'INSERT INTO retired_devices (device_id, at) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET at = excluded.at',
      ).run(deviceId, at);
      this.bump();
      return true;
    });
  }

  private bump(): void {
    this.sql(
      'INSERT INTO device_registry_version (one, version) VALUES (1, 1) ON CONFLICT (one) DO UPDATE SET version = version + 1',
    ).run();
  }

  async setSecret(deviceId: string, hash: string): Promise<void> {
    this.setTx.immediate(deviceId, hash);
  }

  async secretOf(deviceId: string): Promise<string | undefined> {
    const row = this.sql('SELECT hash FROM device_secrets WHERE device_id = ?').get(deviceId) as
      | { hash: string }
      | undefined;
    return row?.hash;
  }

  async secrets(): Promise<DeviceSecretEntry[]> {
    const rows = this.sql('SELECT device_id, hash FROM device_secrets ORDER BY device_id').all() as {
      device_id: string;
      hash: string;
    }[];
    return rows.map((r) => ({ deviceId: r.device_id, hash: r.hash }));
  }

  async retire(deviceId: string, at: number): Promise<boolean> {
    return this.retireTx.immediate(deviceId, at);
  }

  async retiredAt(deviceId: string): Promise<number | undefined> {
    const row = this.sql('SELECT at FROM retired_devices WHERE device_id = ?').get(deviceId) as
      | { at: number }
      | undefined;
    return row?.at;
  }

  async version(): Promise<number> {
    const row = this.sql('SELECT version FROM device_registry_version WHERE one = 1').get() as
      | { version: number }
      | undefined;
    return row?.version ?? 0;
  }
}
