// What every store has besides its capabilities: a health check and an end.

export interface StoreConnection {
  /** Fails when the backing service cannot be reached (readiness probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
