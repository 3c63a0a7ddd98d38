// What the batches of one turn of the event loop ask Redis for, asked once (docs/decisions/0227,
// 0228): their commits as one call (up to `max` effects; on a Cluster, one call per partition of
// them all), their cards as one MGET, their claims as one call (a section a batch; not on a
// Cluster). A validator sends a few taps a batch, so a call carried a few effects, and what a
// call costs (the script's start, its per-partition reads and writes, an outbox entry per
// partition, a reply, the relay's read of that entry) was paid per batch. The batches of one
// turn are those whose claims and cards came back in the same read from Redis: they are ready
// together, and none waits for another.
//
// Each request keeps its items contiguous and in order, and gets its own answers back. For the
// commit, a card's chain within a batch is as before. Between batches of one call, the script
// decides effects one after another as separate calls in that order would: a later batch's
// effect on a card an earlier one changed is a version conflict (re-planned by the ingest, as
// between two calls), a dedupe key an earlier batch applied answers duplicate with its result.
//
// A call that fails is not allowed to fail its neighbours: each of its requests is then sent
// again on its own, so a batch that cannot commit (or a Redis that is gone) fails alone, and
// the others complete or fail on their own merits. A commit call that had applied before its
// reply was lost answers that second time from the dedupe keys, as a device's resend would be;
// a read is read again, a claim claimed again (the same content holds its seq).

interface Request<I, O> {
  items: readonly I[];
  resolve: (answers: O[]) => void;
  reject: (err: unknown) => void;
}

export class TurnGroup<I, O> {
  private queue: Array<Request<I, O>> = [];

  /**
   * run: asks for items in one call and answers one answer per item, in order.
   * max: items a call carries at most (a request is never split; one larger than this goes
   * alone): a script blocks Redis while it runs, ~10 µs an effect.
   */
  constructor(
    private readonly run: (items: readonly I[]) => Promise<O[]>,
    private readonly max: number,
  ) {}

  submit(items: readonly I[]): Promise<O[]> {
    return new Promise((resolve, reject) => {
      // After this turn's callbacks and promise continuations: every batch ready in this turn
      // has asked by then.
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ items, resolve, reject });
    });
  }

  private flush(): void {
    const queue = this.queue;
    this.queue = [];
    let group: Array<Request<I, O>> = [];
    let size = 0;
    for (const r of queue) {
      if (group.length > 0 && size + r.items.length > this.max) {
        void this.send(group, size);
        group = [];
        size = 0;
      }
      group.push(r);
      size += r.items.length;
    }
    if (group.length > 0) void this.send(group, size);
  }

  /** size: the group's items, all told. */
  private async send(group: Array<Request<I, O>>, size: number): Promise<void> {
    if (group.length === 1) return this.alone(group[0]!);
    // Made at its size, not grown item by item: a turn's commit gathers hundreds of effects.
    const items = new Array<I>(size);
    let n = 0;
    for (const r of group) for (const e of r.items) items[n++] = e;
    let answers: O[];
    try {
      answers = await this.run(items);
    } catch {
      for (const r of group) void this.alone(r);
      return;
    }
    let at = 0;
    for (const r of group) {
      r.resolve(answers.slice(at, at + r.items.length));
      at += r.items.length;
    }
  }

  private async alone(r: Request<I, O>): Promise<void> {
    try {
      r.resolve(await this.run(r.items));
    } catch (err) {
      r.reject(err);
    }
  }
}
