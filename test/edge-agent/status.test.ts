import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { topics } from '../../core/topics.js';
import { silentLogger } from '../../edge-agent/src/log.js';
import { STOP_PUBLISH_MS, StatusReporter } from '../../edge-agent/src/status.js';
import { v1 } from '../../protos/wire.js';
import type { Published } from './support.js';

describe('device status', () => {
  let sent: Published[];
  let online: boolean;
  let reporter: StatusReporter;

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 8, 0, 0) });
    sent = [];
    online = true;
    reporter = new StatusReporter({
      operatorId: 'busco',
      deviceId: 'bus-1',
      profile: 'bus_validator',
      intervalMs: 30_000,
      figures: () => ({
        denyListVersion: 12,
        journalDepth: 3,
        lastAckedSeq: 40,
        clockSkewMs: -250,
        lists: [
          { kind: 'deny', scope: 'all', version: 12, entries: 5 },
          { kind: 'flags', scope: 'all', version: 7, entries: 9_000_000 },
        ],
      }),
      publish: async (topic, payload, retain) => {
        sent.push({ topic, payload, retain });
      },
      isOnline: () => online,
      now: Date.now,
      log: silentLogger,
    });
  });
  afterEach(() => vi.useRealTimers());

  const decoded = () => sent.map((p) => v1.DeviceStatus.decode(p.payload));

  it('publishes the figures, retained, on the device status topic every statusIntervalMs while online', async () => {
    reporter.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(2);
    expect(sent.every((p) => p.topic === topics.status('busco', 'bus-1') && p.retain)).toBe(true);
    expect(decoded()[0]).toMatchObject({
      deviceId: 'bus-1',
      operatorId: 'busco',
      online: true,
      profile: 'bus_validator',
      denyListVersion: 12,
      journalDepth: 3,
      lastAckedSeq: 40,
      clockSkewMs: -250,
      deviceTimeMs: Date.UTC(2026, 10, 23, 8, 0, 30),
    });
    expect(decoded()[0]!.lists.map((l) => [l.kind, l.scope, Number(l.version), Number(l.entries)])).toEqual([
      [v1.ListKind.LIST_KIND_DENY, 'all', 12, 5],
      [v1.ListKind.LIST_KIND_FLAGS, 'all', 7, 9_000_000],
    ]);
    await reporter.stop();
  });

  it('stays silent while the link is down', async () => {
    online = false;
    reporter.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await reporter.publishNow();
    expect(sent).toEqual([]);
    await reporter.stop();
  });

  it('says offline on stop and leaves no timer behind', async () => {
    reporter.start();
    await reporter.stop();
    expect(decoded().map((s) => s.online)).toEqual([false]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops within STOP_PUBLISH_MS when the broker never confirms the offline status', async () => {
    const warned: string[] = [];
    const silent = new StatusReporter({
      operatorId: 'busco',
      deviceId: 'bus-1',
      profile: 'bus_validator',
      intervalMs: 30_000,
      figures: () => ({ denyListVersion: 1, journalDepth: 0, lastAckedSeq: 0, clockSkewMs: 0 }),
      // A connection dead but not yet noticed: the PUBACK never comes.
      publish: () => new Promise<void>(() => {}),
      isOnline: () => true,
      now: Date.now,
      log: { ...silentLogger, warn: (_o: unknown, msg?: string) => void warned.push(msg ?? '') },
    });
    silent.start();
    let stopped = false;
    const stopping = silent.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(STOP_PUBLISH_MS - 1);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(stopped).toBe(true);
    expect(warned).toEqual([expect.stringMatching(/offline status not confirmed/)]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('registers an offline will without figures that would be stale', () => {
    const will = v1.DeviceStatus.decode(reporter.willPayload());
    expect(will).toMatchObject({
      deviceId: 'bus-1',
      operatorId: 'busco',
      online: false,
      profile: 'bus_validator',
    });
    expect(Number(will.journalDepth)).toBe(0);
  });
});
