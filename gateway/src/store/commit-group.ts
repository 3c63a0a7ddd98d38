// Group commit across batches (docs/decisions/0227): the commits asked for in one turn of the
// event loop go to Redis as one call (up to maxEffects effects; on a Cluster, one call per
// partition of them all), not one call each. A validator sends a few taps a batch, so a call
// carried a few effects, and what a call costs (the script's start, its per-partition reads and
// writes, an outbox entry per partition, a reply, the relay's read of that entry) was paid per
// batch. The batches of one turn are those whose claims and cards came back in the same read
// from Redis: they are ready together, and none waits for another.
//
// Each request keeps its effects contiguous and in order, so a card's chain within a batch is as
// before. Between batches of one call, the script decides effects one after another as separate
// calls in that order would: a later batch's effect on a card an earlier one changed is a
// version conflict (re-planned by the ingest, as between two calls), a dedupe key an earlier
// batch applied answers duplicate with its result.
//
// A call that fails is not allowed to fail its neighbours: each of its requests is then sent
// again on its own, so a batch that cannot commit (or a Redis that is gone) fails alone, and
// the others complete or fail on their own merits. A call that had applied before its reply
// was lost answers that second time from the dedupe keys, as a device's resend would be.

interface Request<E, O> {
  effects: readonly E[];
  resolve: (outcomes: O[]) => void;
  reject: (err: unknown) => void;
}

export class CommitGroup<E, O> {
  private queue: Array<Request<E, O>> = [];

  /**
   * run: commits effects in one call and answers one outcome per effect, in order.
   * maxEffects: effects a call carries at most (a request is never split; one larger than this
   * goes alone): a script blocks Redis while it runs, ~10 µs an effect.
   */
  constructor(
    private readonly run: (effects: readonly E[]) => Promise<O[]>,
    private readonly maxEffects: number,
  ) {}

  submit(effects: readonly E[]): Promise<O[]> {
    return new Promise((resolve, reject) => {
      // After this turn's callbacks and promise continuations: every batch ready in this turn
      // has asked by then.
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ effects, resolve, reject });
    });
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    let group: Array<Request<E, O>> = [];
    let size = 0;
    for (const r of queue) {
      if (group.length > 0 && size + r.effects.length > this.maxEffects) {
        void this.send(group);
        group = [];
        size = 0;
      }
      group.push(r);
      size += r.effects.length;
    }
    if (group.length > 0) void this.send(group);
  }

  private async send(group: Array<Request<E, O>>): Promise<void> {
    if (group.length === 1) return this.alone(group[0]!);
    const effects: E[] = [];
    for (const r of group) for (const e of r.effects) effects.push(e);
    let outcomes: O[];
    try {
      outcomes = await this.run(effects);
    } catch {
      for (const r of group) void this.alone(r);
      return;
    }
    let at = 0;
    for (const r of group) {
      r.resolve(outcomes.slice(at, at + r.effects.length));
      at += r.effects.length;
    }
  }

  private async alone(r: Request<E, O>): Promise<void> {
    try {
      r.resolve(await this.run(r.effects));
    } catch (err) {
      r.reject(err);
    }
  }
}
