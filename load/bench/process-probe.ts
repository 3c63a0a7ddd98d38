// What the tap-path bench reads about the processes it measures: the gateway's CPU time from
// /proc/<pid>/stat, its GC total from load/bench/gc-probe.ts, and Redis's CPU and memory from
// INFO. Each is read before and after the max-rate run; the figures are the deltas per tap.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

let ticksPerS: number | undefined;

/** Clock ticks per second of /proc's utime and stime (getconf CLK_TCK; 100 on Linux as a rule). */
function clockTicks(): number {
  if (ticksPerS === undefined) {
    try {
      ticksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerS = 100;
    }
  }
  return ticksPerS;
}

/** User + system CPU time of a process (all its threads: GC helpers, libuv), µs. */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / clockTicks();
}

/** The gateway's GC pause total so far, ms: signals the probe and waits for its fresh answer. */
export async function gatewayGcMs(pid: number, file: string, lastReply: { n: number }): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    try {
      const got = JSON.parse(readFileSync(file, 'utf8')) as { reply: number; gcMs: number };
      if (got.reply > lastReply.n) {
        lastReply.n = got.reply;
        return got.gcMs;
      }
    } catch {}
  }
  throw new Error('the gateway did not report its GC total (gc-probe not loaded?)');
}

/** A number field of a Redis INFO section, or undefined when the section does not show it. */
export function infoNumber(info: string, name: string): number | undefined {
  const m = new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info);
  return m ? Number(m[1]) : undefined;
}

function infoField(info: string, name: string): number {
  const n = infoNumber(info, name);
  if (n === undefined) throw new Error(`Redis INFO has no ${name}`);
  return n;
}

/** Redis server CPU (used_cpu_sys + used_cpu_user), µs, and used_memory, bytes. */
export async function redisUsage(redis: Redis): Promise<{ cpuUs: number; memoryBytes: number }> {
  const cpu = await redis.info('cpu');
  const memory = await redis.info('memory');
  return {
    cpuUs: (infoField(cpu, 'used_cpu_sys') + infoField(cpu, 'used_cpu_user')) * 1e6,
    memoryBytes: infoField(memory, 'used_memory'),
  };
}

/** Busy and total CPU time of the whole box so far, µs summed over its cores (/proc/stat). */
export function boxCpuUs(): { busyUs: number; totalUs: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  // cpu  user nice system idle iowait irq softirq steal ...
  const [user, nice, system, idle, iowait, irq, softirq, steal] = lines[0]!
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq + steal;
  const cores = lines.filter((l) => /^cpu\d/.test(l)).length;
  const tick = 1e6 / clockTicks();
  return { busyUs: busy * tick, totalUs: (busy + idle + iowait) * tick, cores };
}

/** The pid in a pid file, or undefined when there is none (a service the bench did not start). */
export function pidFrom(file: string | undefined): number | undefined {
  if (!file) return undefined;
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
