// The outbox: records commit() wrote, waiting for the relay to publish them (kafka/relay.ts),
// per partition, with a lease so that one gateway instance at a time publishes a partition.
import type { LedgerRecord } from '../../../../core/ledger.js';

export interface OutboxEntry {
  /** Opaque, increasing within a partition. */
  id: string;
  record: LedgerRecord;
}

export interface OutboxStore {
  /** Outbox partitions: 1 for SQLite, the hash-slot partitions for Redis. */
  outboxPartitions(): number;
  readOutbox(partition: number, limit: number): Promise<OutboxEntry[]>;
  /** Removes entries up to and including id, once they are safely published. */
  ackOutbox(partition: number, uptoId: string): Promise<void>;
  /**
   * Lease so that one relay at a time publishes a partition (several gateway instances run).
   * True when owner holds it for ttlMs from now.
   */
  leaseOutbox(partition: number, owner: string, ttlMs: number): Promise<boolean>;
}
