// The outbox: records commit() wrote, waiting for the relay to publish them (kafka/relay.ts),
// per partition, with a lease so that one gateway instance at a time publishes a partition.
// Entries carry the records as the records topic does (docs/decisions/0209): the bytes of a
// onecard.v1.RecordBatch, written by commit and read back as they are, never decoded on the way.

export interface OutboxEntry {
  /** Opaque, increasing within a partition. */
  id: string;
  /**
   * A onecard.v1.RecordBatch (protos/record-codec.ts): the records one commit applied in this
   * partition, in commit order. Only a consumer decodes it (decodeRecordBatch).
   */
  batch: Uint8Array;
  /** Records in the batch. */
  count: number;
  /** When the entry was committed (ms since the epoch): the relay's lag is measured from it. */
  committedAt: number;
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
