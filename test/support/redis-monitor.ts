// What Redis runs on a suite's keys while some code runs: MONITOR, filtered to the suite's key
// prefix, so suites that share the test Redis do not see each other's commands.
import type { Redis } from 'ioredis';

/** The commands (upper-case name, then arguments) run on keys under `prefix:` while `body` runs. */
export async function watched(admin: Redis, prefix: string, body: () => Promise<void>): Promise<string[][]> {
  const monitor = await admin.monitor();
  const seen: string[][] = [];
  const end = `${prefix}:end`;
  // MONITOR lines come after the replies: a PING sent last is seen last (Redis runs commands in
  // order), so its line means every line before it has arrived.
  const done = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === 'PING' && args[1] === end) resolve();
      else if (args.some((a) => a.startsWith(`${prefix}:`)))
        seen.push([args[0]!.toUpperCase(), ...args.slice(1)]);
    });
  });
  await body();
  await admin.ping(end);
  await done;
  monitor.disconnect();
  return seen;
}
