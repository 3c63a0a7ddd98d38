// The per-tap costs of the max-rate run (issue 10 item 5): the gateway's CPU and GC and Redis's
// CPU and memory, each read just before and just after the run and divided by the taps acked.
//   gateway_cpu_us_per_tap      /proc/<pid>/stat utime + stime (every thread of the process);
//   gateway_gc_share            GC pause time (PerformanceObserver 'gc', load/bench/gc-probe.ts)
//                               over that CPU time: the share of its busy time spent in GC pauses;
//   redis_cpu_us_per_tap        INFO cpu used_cpu_sys + used_cpu_user;
//   redis_bytes_per_tap_with_records  INFO memory used_memory: this gateway keeps records, indexes
//                               and counters in Redis and runs no relay, so this is growth, not
//                               the steady state (load/bench/redis-steady.ts measures that, 0206).
//                               Server-wide figures: the Redis the bench starts serves only the
//                               bench (its db 15) while it runs.
// And where the rest of the box goes (docs/decisions/0213), so a reader sees what the tap rate is
// bound by on a box where every process shares two cores:
//   devices_cpu_us_per_tap      the bench process itself: the simulated devices publishing their
//                               batches (built and signed before the run, 0233) and decoding
//                               every ack;
//   broker_cpu_us_per_tap       Mosquitto; kafka_cpu_us_per_tap the Kafka broker (city run);
//   box_cpu_us_per_tap          every core's busy time (/proc/stat), all processes;
//   box_busy_share              that busy time over cores × the run's wall time: near 1 the run
//                               was bound by CPU, well below it by something else (the window of
//                               batches in flight, a round trip);
//   box_taps_per_s_if_busy      cores × 1 s / box_cpu_us_per_tap: the rate the box would carry
//                               busy, at this cost per tap.
import { rmSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { boxCpuUs, gatewayGcMs, processCpuUs, redisUsage } from './process-probe.js';
import { round } from './stats.js';

export interface CostMeter {
  /** Reads the figures after the run; taps: the taps acked in it. */
  stop(taps: number): Promise<Record<string, number>>;
}

export async function startCostMeter(o: {
  gatewayPid: number;
  gcFile: string;
  redis: Redis;
  /** The broker's and Kafka's pids, when known (their keys are left out otherwise). */
  brokerPid?: number;
  kafkaPid?: number;
}): Promise<CostMeter> {
  // A file left by an earlier run's gateway holds its replies: read before this gateway's first
  // answer, its count made the answer after the run look stale, and the bench gave up (0211).
  rmSync(o.gcFile, { force: true });
  const replies = { n: 0 };
  const gc0 = await gatewayGcMs(o.gatewayPid, o.gcFile, replies);
  const cpu0 = processCpuUs(o.gatewayPid);
  const redis0 = await redisUsage(o.redis);
  const others0 = otherCpu(o);
  const started = performance.now();
  return {
    async stop(taps) {
      const cpu1 = processCpuUs(o.gatewayPid);
      const others1 = otherCpu(o);
      const wallUs = (performance.now() - started) * 1000;
      const redis1 = await redisUsage(o.redis);
      const gc1 = await gatewayGcMs(o.gatewayPid, o.gcFile, replies);
      const cpuUs = cpu1 - cpu0;
      const boxUs = others1.box.busyUs - others0.box.busyUs;
      const perTap = (a: number | undefined, b: number | undefined) =>
        a === undefined || b === undefined ? {} : round((b - a) / taps);
      return {
        devices_cpu_us_per_tap: round((others1.self - others0.self) / taps),
        ...named('broker_cpu_us_per_tap', perTap(others0.broker, others1.broker)),
        ...named('kafka_cpu_us_per_tap', perTap(others0.kafka, others1.kafka)),
        box_cpu_us_per_tap: round(boxUs / taps),
        box_busy_share: round(boxUs / (others1.box.cores * wallUs), 3),
        box_taps_per_s_if_busy: Math.round((others1.box.cores * 1e6 * taps) / boxUs),
        gateway_cpu_us_per_tap: round(cpuUs / taps),
        gateway_gc_share: round(((gc1 - gc0) * 1000) / cpuUs, 3),
        gateway_gc_ms: round(gc1 - gc0),
        redis_cpu_us_per_tap: round((redis1.cpuUs - redis0.cpuUs) / taps),
        redis_bytes_per_tap_with_records: round((redis1.memoryBytes - redis0.memoryBytes) / taps),
      };
    },
  };
}

function otherCpu(o: { brokerPid?: number; kafkaPid?: number }) {
  const cpu = process.cpuUsage();
  return {
    self: cpu.user + cpu.system,
    broker: cpuOf(o.brokerPid),
    kafka: cpuOf(o.kafkaPid),
    box: boxCpuUs(),
  };
}

/** A process's CPU µs, or undefined if it is gone (a broker restarted by its supervisor). */
function cpuOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return processCpuUs(pid);
  } catch {
    return undefined;
  }
}

function named(key: string, v: number | Record<string, never>): Record<string, number> {
  return typeof v === 'number' ? { [key]: v } : {};
}
