// Store.claimTaps on SQLite (docs/decisions/0175): the tap_claims table (sqlite-schema.ts), one
// IMMEDIATE transaction per call, so two gateways claiming the same key take turns and the
// second sees the first's digest.
import type Database from 'better-sqlite3';
import type { TapClaim } from './port.js';

export type ClaimTaps = (deviceId: string, epoch: string, claims: readonly TapClaim[]) => boolean[];

export function sqliteClaimTaps(db: Database.Database): ClaimTaps {
  const insert = db.prepare<[string, string, number, string]>(
    'INSERT INTO tap_claims (device, epoch, seq, digest) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const held = db
    .prepare<[string, string, number], string>(
      'SELECT digest FROM tap_claims WHERE device = ? AND epoch = ? AND seq = ?',
    )
    .pluck();
  const tx = db.transaction((deviceId: string, epoch: string, claims: readonly TapClaim[]) =>
    claims.map(
      (c) =>
        insert.run(deviceId, epoch, c.seq, c.digest).changes === 1 ||
        held.get(deviceId, epoch, c.seq) === c.digest,
    ),
  );
  return (deviceId, epoch, claims) => tx.immediate(deviceId, epoch, claims);
}
