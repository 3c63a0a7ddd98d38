// Sends signed lists to devices: each change goes out at once as a signed delta (QoS 1) on its
// list's topic, and the newest version of every list as a signed retained head, refreshed on a
// timer (which also re-sends a head lost to a broker restart). Devices that missed deltas
// fetch them over HTTP (stream.ts). A failed publish loses nothing: the change is stored and
// devices catch up from the next head.
import { ALL_SCOPE } from '../../../core/lists/envelope.js';
import { topics } from '../../../core/topics.js';
import type { ListKind } from '../../../protos/codec.js';
import type { Logger } from '../log.js';
import type { DeviceStore, ListStore } from '../store/port.js';
import type { ListSigner } from './signer.js';

const HEAD_INTERVAL_MS = 30_000;
type Publish = (topic: string, payload: Uint8Array, retain?: boolean) => Promise<void>;

export class ListPublisher {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DeviceStore & ListStore,
    readonly signer: ListSigner,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.publishHeads(), HEAD_INTERVAL_MS);
    void this.publishHeads();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A delta from version - 1 to version, then the head. */
  async delta(kind: ListKind, scope: string, version: number, body: Uint8Array, at: number): Promise<void> {
    try {
      const generation = await this.store.listGeneration();
      const envelope = this.signer.envelope(
        { kind, scope, type: 'delta', version, previousVersion: version - 1, issuedAtMs: at, generation },
        body,
      );
      await this.publish(topics.listDelta(kind, scope), envelope);
      await this.publishHead(kind, scope, version);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, kind, scope, version }, 'list delta not published');
    }
  }

  /** Heads of the city-wide lists and of the entitlements of every registered device's venue. */
  async publishHeads(): Promise<void> {
    try {
      const venues = new Set((await this.store.listDevices()).map((d) => d.venueId).filter(Boolean));
      const lists: Array<[ListKind, string]> = [
        ['deny', ALL_SCOPE],
        ['flags', ALL_SCOPE],
        ['regions', ALL_SCOPE],
        ...[...venues].map((v): [ListKind, string] => ['entitlements', v]),
      ];
      for (const [kind, scope] of lists)
        await this.publishHead(kind, scope, await this.store.listVersion(kind, scope));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'list heads not published');
    }
  }

  private async publishHead(kind: ListKind, scope: string, version: number): Promise<void> {
    // Version 0 is "no list yet": nothing a device could fetch, so no head.
    if (version === 0) return;
    await this.publish(
      topics.listHead(kind, scope),
      this.signer.head(kind, scope, version, this.now(), await this.store.listGeneration()),
      true,
    );
  }
}
