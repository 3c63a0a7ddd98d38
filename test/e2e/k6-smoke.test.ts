// Every k6 load script (load/k6/*.js) run briefly against the gateway scripts/k6.sh starts
// (load/k6/serve.ts), seeded with two days instead of a month: a script the API has moved away
// from, or a gateway that no longer starts from a fresh clone, fails here and not in the hands
// of the next person who runs the load tests. SMOKE=1 makes each script one virtual user for a
// few iterations without its latency thresholds (load/k6/common.js); the full runs and their
// figures stay with `bash scripts/k6.sh`. k6 itself is built once by scripts/k6-build.sh.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../support/env.js';
import { freePort, type Proc, startProcess, waitFor } from './harness.js';

const ITERATIONS = 5;
// Two days of rides instead of a month: every script's queries find records, in a second.
const SEED = ['--days', '2', '--rides-per-day', '200', '--cards', '50'];
const scripts = readdirSync(join(testEnv.root, 'load/k6'))
  .filter((f) => f.endsWith('.js') && f !== 'common.js')
  .sort();

interface Run {
  code: number | null;
  output: string;
}

/** Runs a command to its end; stderr is passed through when `progress` (the k6 build's). */
function run(cmd: string, args: string[], progress = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: testEnv.root,
      stdio: ['ignore', 'pipe', progress ? 'inherit' : 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

interface Summary {
  metrics: Record<string, { passes?: number; fails?: number; value?: number; count?: number }>;
}

describe('the k6 load scripts, each run briefly (SMOKE=1)', () => {
  let k6 = '';
  let dir = '';
  let baseUrl = '';
  let gateway: Proc | undefined;

  beforeAll(async () => {
    // The first run on a machine builds k6 (minutes); its progress shows on this test's stderr.
    const build = await run('bash', ['scripts/k6-build.sh'], true);
    if (build.code !== 0) throw new Error(`scripts/k6-build.sh exited ${build.code}`);
    k6 = build.output.trim().split('\n').at(-1)!;
    dir = mkdtempSync(join(tmpdir(), 'onecard-k6-'));
    gateway = startProcess(
      'k6-gateway',
      'load/k6/serve.ts',
      {},
      // --port 0: the gateway takes a free port and names it in env.json. The embedded broker
      // needs a real one (0 means no broker), so it gets one the OS just handed out.
      ['--dir', dir, '--port', '0', '--mqtt-port', String(await freePort()), ...SEED],
    );
    await waitFor(
      'the k6 gateway to seed and write env.json',
      () => {
        if (gateway!.child.exitCode !== null) throw new Error(`serve.ts exited ${gateway!.child.exitCode}`);
        return existsSync(join(dir, 'env.json'));
      },
      60_000,
    );
    baseUrl = (JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) as { baseUrl: string }).baseUrl;
  }, 20 * 60_000);

  afterAll(async () => {
    await gateway?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('covers every script, the tenant-scoped operator among them', () => {
    expect(scripts).toEqual(expect.arrayContaining(['records-search.js', 'stats.js', 'tenant.js']));
  });

  for (const script of scripts) {
    it(`${script}: exits 0, every check passes, no request fails`, async () => {
      const summaryFile = join(dir, `${script}.summary.json`);
      const r = await run(k6, [
        'run',
        '--quiet',
        '--no-usage-report',
        // __ENV holds only what is passed here: the test process's own variables (vitest sets
        // BASE_URL=/ for Vite) or a VUS left in a shell must not reshape the run.
        '--include-system-env-vars=false',
        // No REST API listener (localhost:6565 by default): a second k6 on the machine is fine.
        '--address',
        '',
        '--summary-export',
        summaryFile,
        '-e',
        'SMOKE=1',
        '-e',
        `ITERATIONS=${ITERATIONS}`,
        '-e',
        `ENV_FILE=${join(dir, 'env.json')}`,
        '-e',
        `BASE_URL=${baseUrl}`,
        join(testEnv.root, 'load/k6', script),
      ]);
      expect(r.code, r.output).toBe(0);
      const { metrics } = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
      expect(metrics.iterations?.count, r.output).toBe(ITERATIONS);
      expect(metrics.checks?.fails, r.output).toBe(0);
      expect(metrics.checks?.passes, r.output).toBeGreaterThan(0);
      // http_req_failed is a rate: its "passes" are failed requests (a 403 a script expects
      // is not one, see tenant.js).
      expect(metrics.http_req_failed?.passes, r.output).toBe(0);
      expect(metrics.http_req_failed?.fails, r.output).toBeGreaterThan(0);
    }, 60_000);
  }
});
