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
import type { Redis } from 'ioredis';
import { gatewayGcMs, processCpuUs, redisUsage } from './process-probe.js';
import { round } from './stats.js';

export interface CostMeter {
  /** Reads the figures after the run; taps: the taps acked in it. */
  stop(taps: number): Promise<Record<string, number>>;
}

export async function startCostMeter(o: {
  gatewayPid: number;
  gcFile: string;
  redis: Redis;
}): Promise<CostMeter> {
  const replies = { n: 0 };
  const gc0 = await gatewayGcMs(o.gatewayPid, o.gcFile, replies);
  const cpu0 = processCpuUs(o.gatewayPid);
  const redis0 = await redisUsage(o.redis);
  return {
    async stop(taps) {
      const cpu1 = processCpuUs(o.gatewayPid);
      const redis1 = await redisUsage(o.redis);
      const gc1 = await gatewayGcMs(o.gatewayPid, o.gcFile, replies);
      const cpuUs = cpu1 - cpu0;
      return {
        gateway_cpu_us_per_tap: round(cpuUs / taps),
        gateway_gc_share: round(((gc1 - gc0) * 1000) / cpuUs, 3),
        gateway_gc_ms: round(gc1 - gc0),
        redis_cpu_us_per_tap: round((redis1.cpuUs - redis0.cpuUs) / taps),
        redis_bytes_per_tap_with_records: round((redis1.memoryBytes - redis0.memoryBytes) / taps),
      };
    },
  };
}
