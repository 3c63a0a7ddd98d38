// Device health on its retained status topic: online with the numbers an operator watches
// (deny-list version, journal depth, last acked seq, clock skew) on connect and every
// statusIntervalMs; offline on an orderly stop (and as the last will, registered by the link).

import { topics } from '../../core/topics.js';
import { listKinds } from '../../protos/codec.js';
import { v1 } from '../../protos/wire.js';
import type { ListVersionInfo } from './lists/state.js';
import type { Logger } from './log.js';
import { SOFTWARE_VERSION } from './version.js';

export interface StatusFigures {
  denyListVersion: number;
  journalDepth: number;
  lastAckedSeq: number;
  clockSkewMs: number;
  /** Every list's version (DeviceStatus.lists); omitted by callers that keep none. */
  lists?: ListVersionInfo[];
  /** List messages refused since start. */
  listsRefused?: number;
  /** Batch acks ignored since start (uplink/ack.ts). */
  acksRefused?: number;
}

export interface StatusReporterOptions {
  operatorId: string;
  deviceId: string;
  profile: string;
  intervalMs: number;
  figures: () => StatusFigures;
  publish: (topic: string, payload: Uint8Array, retain: boolean) => Promise<void>;
  isOnline: () => boolean;
  now: () => number;
  log: Logger;
}

/** How long an orderly stop waits for the broker to confirm the offline status. */
export const STOP_PUBLISH_MS = 2_000;

export class StatusReporter {
  private timer: NodeJS.Timeout | undefined;
  readonly topic: string;

  constructor(private readonly opts: StatusReporterOptions) {
    this.topic = topics.status(opts.operatorId, opts.deviceId);
  }

  start(): void {
    this.timer = setInterval(() => void this.publishNow(), this.opts.intervalMs);
  }

  /**
   * Stops the timer and, when the link is up, says "offline" (an orderly stop sends no will).
   * Waits for the broker's PUBACK at most STOP_PUBLISH_MS: a broker that does not answer (a
   * connection dead but not yet noticed, which mqtt.js finds only by its keepalive, up to 1.5 min)
   * must not keep the device from stopping. Unconfirmed, the link's stop then ends the
   * connection by force (mqtt/link.ts), and the broker publishes the last will: offline all the same.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.opts.isOnline()) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), STOP_PUBLISH_MS);
    });
    try {
      const sent = this.opts.publish(this.topic, this.encode(false), true).then(() => 'sent' as const);
      if ((await Promise.race([sent, late])) === 'late')
        this.opts.log.warn(
          { waitedMs: STOP_PUBLISH_MS },
          'offline status not confirmed by the broker; stopping anyway (the last will says it)',
        );
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'offline status not published');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Publishes the current status if the link is up (on connect, on a timer, on list changes). */
  async publishNow(): Promise<void> {
    if (!this.opts.isOnline()) return;
    try {
      await this.opts.publish(this.topic, this.encode(true), true);
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'status not published');
    }
  }

  /** The last-will payload: offline, without figures that would be stale when it is sent. */
  willPayload(): Uint8Array {
    return v1.DeviceStatus.encode({
      deviceId: this.opts.deviceId,
      operatorId: this.opts.operatorId,
      online: false,
      profile: this.opts.profile,
      softwareVersion: SOFTWARE_VERSION,
    }).finish();
  }

  encode(online: boolean): Uint8Array {
    const f = this.opts.figures();
    return v1.DeviceStatus.encode({
      deviceId: this.opts.deviceId,
      operatorId: this.opts.operatorId,
      online,
      profile: this.opts.profile,
      denyListVersion: f.denyListVersion,
      journalDepth: f.journalDepth,
      lastAckedSeq: f.lastAckedSeq,
      deviceTimeMs: this.opts.now(),
      clockSkewMs: f.clockSkewMs,
      softwareVersion: SOFTWARE_VERSION,
      lists: (f.lists ?? []).map((l) => ({
        kind: listKinds.code[l.kind],
        scope: l.scope,
        version: l.version,
        entries: l.entries,
      })),
      listsRefused: f.listsRefused ?? 0,
      acksRefused: f.acksRefused ?? 0,
    }).finish();
  }
}
