// One lifecycle for the agent's modules, as zigbee2mqtt's extensions have: each module has
// start() and stop(); they start in the order given (a module after those it uses) and stop in
// reverse, so nothing is stopped while a module still running uses it. A start that fails stops
// the modules already started, in reverse, then throws: a failed start leaves no timer, socket
// or open file behind. See docs/decisions/0187-edge-module-lifecycle.md.
import type { Logger } from './log.js';

export interface Lifecycle {
  start(): void | Promise<void>;
  /** Undoes start(): every timer, listener, connection and file it opened. */
  stop(): void | Promise<void>;
}

/** A module by name (for the log), in start order. */
export type NamedModule = readonly [name: string, module: Lifecycle];

export class Modules {
  private started: NamedModule[] = [];

  constructor(
    private readonly modules: readonly NamedModule[],
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    for (const entry of this.modules) {
      try {
        await entry[1].start();
      } catch (err) {
        this.log.error(
          { module: entry[0], err: (err as Error).message },
          'module did not start; stopping the others',
        );
        await this.stop();
        throw err;
      }
      this.started.push(entry);
    }
  }

  /**
   * Stops the started modules, last started first. One that fails to stop is logged and the
   * rest still stop: a broken module must not keep the others' files and sockets open.
   */
  async stop(): Promise<void> {
    for (const [name, module] of this.started.splice(0).reverse()) {
      try {
        await module.stop();
      } catch (err) {
        this.log.error({ module: name, err: (err as Error).message }, 'module did not stop cleanly');
      }
    }
  }
}
