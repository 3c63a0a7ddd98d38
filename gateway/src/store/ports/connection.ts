// What every store has besides its capabilities: a health check and an end.

export interface StoreConnection {
  /** Fails when the backing service cannot be reached (readiness probe). */
  ping(): Promise<void>;
  /**
   * The server-side commands this store can run its hot path through, each true while it does
   * and false while it runs the Lua script that stands for it (the Redis store: onecard's module,
   * docs/decisions/0232); empty for a store with none. Read by /metrics
   * (onecard_redis_module_in_use), so an operator and the bench can tell.
   */
  moduleCommands(): ReadonlyMap<string, boolean>;
  close(): Promise<void>;
}
