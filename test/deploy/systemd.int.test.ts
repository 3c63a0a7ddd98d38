// The systemd units in deploy/systemd (decision 0200): systemd's own checker passes each of
// them without a word, and each points at files that exist in deploy/ and in the repository.
// systemd-analyze is part of Debian's systemd package, on every machine the units are for and
// on the test machine; without it this test fails and says so rather than skipping.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployDir, read, root } from './files.js';

const unitDir = join(deployDir, 'systemd');
const units = readdirSync(unitDir).filter((f) => /\.(service|path|timer|target)$/.test(f));
const work = mkdtempSync(join(tmpdir(), 'onecard-units-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * systemd-analyze verify's findings for one unit file; a template is checked as instance 1
 * (specifiers expanded). Unknown keys and unparsable values are only warnings with exit code 0
 * to systemd, so any output at all is a finding.
 */
function verify(file: string): string {
  const which = spawnSync('sh', ['-c', 'command -v systemd-analyze']);
  if (which.status !== 0)
    throw new Error('systemd-analyze is missing: apt-get install systemd (Debian), then run again');
  const name = file.split('/').pop()!.replace('@.', '@1.');
  const dir = mkdtempSync(join(work, 'v-'));
  copyFileSync(file, join(dir, name));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, name)], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.replaceAll(dir, '').trim() + (r.status === 0 ? '' : ` (exit ${r.status})`);
}

/** key=value settings of a unit file (a key may repeat). */
function settings(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

/** Where an installed path comes from in the repository (docs/operations.md, "Install"). */
function source(path: string): string | undefined {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^\/opt\/onecard\/(.+)$/, (m) => m[1]!],
    [/^\/etc\/onecard\/([a-z0-9@%-]+\.env)$/, (m) => `deploy/env/${m[1]!.replace('%i', '1')}`],
    [/^\/etc\/onecard\/(redis|mosquitto)\/([a-z-]+\.conf)$/, (m) => `deploy/${m[1]}/${m[2]}`],
  ];
  for (const [re, to] of rules) {
    const m = re.exec(path);
    if (m) return to(m);
  }
  return undefined;
}

/** What a unit points at that is not in the repository, and what it lacks. */
function problemsOf(text: string): string[] {
  const problems: string[] = [];
  const s = settings(text);
  const get = (k: string) => s.filter(([key]) => key === k).map(([, v]) => v);
  for (const [k, v] of [
    ['Restart', 'always'],
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['WantedBy', 'multi-user.target'],
  ])
    if (!get(k!).includes(v!)) problems.push(`no ${k}=${v}`);
  if (get('Description').length !== 1) problems.push('no Description');
  for (const file of get('EnvironmentFile')) {
    const from = source(file.replace(/^-/, ''));
    if (!from || !existsSync(join(root, from)))
      problems.push(`EnvironmentFile ${file}: no ${from ?? 'source'}`);
  }
  const cwd = get('WorkingDirectory')[0];
  for (const cmd of [...get('ExecStart'), ...get('ExecReload')]) {
    for (const word of cmd.split(/\s+/)) {
      const installed = word.startsWith('/etc/onecard/') || word.startsWith('/opt/onecard/');
      const relative = cwd === '/opt/onecard' && /^[a-z-]+\/.+\.(ts|sh)$/.test(word);
      const from = installed ? source(word) : relative ? word : undefined;
      if ((installed || relative) && (!from || !existsSync(join(root, from))))
        problems.push(`${word}: not in the repository`);
    }
  }
  return problems;
}

describe('deploy/systemd', () => {
  it('has the units the operations page installs', () => {
    expect(units.sort()).toEqual([
      'onecard-edge-agent.service',
      'onecard-gateway@.service',
      'onecard-history.service',
      'onecard-mosquitto.service',
      'onecard-redis-replica.service',
      'onecard-redis-sentinel.service',
      'onecard-redis.service',
    ]);
  });

  it.each(units)('%s: systemd-analyze verify finds nothing', (unit) => {
    expect(verify(join(unitDir, unit))).toBe('');
  });

  it.each(units)('%s: restarts, is hardened, and its files come from the repository', (unit) => {
    expect(problemsOf(read(join(unitDir, unit)))).toEqual([]);
  });

  it('finds a misspelt key, a bad value and a missing file', () => {
    const good = read(join(unitDir, 'onecard-history.service'));
    const bad = good
      .replace('Restart=always', 'Restat=always')
      .replace('Type=simple', 'Type=simpel')
      .replace('/etc/onecard/history.env', '/etc/onecard/nothing.env');
    const file = join(work, 'onecard-bad.service');
    writeFileSync(file, bad);
    const found = verify(file);
    expect(found).toContain("Unknown key 'Restat'");
    expect(found).toContain('simpel');
    expect(problemsOf(bad)).toEqual([
      'no Restart=always',
      'EnvironmentFile /etc/onecard/nothing.env: no deploy/env/nothing.env',
    ]);
  });

  // A flag this Node does not know stops the process before main.ts runs (node: bad option): the
  // unit would restart it every 2 s for ever. The gateway's young generation (0225) is one.
  it.each(units)('%s: node runs with the flags the unit gives it', (unit) => {
    for (const cmd of settings(read(join(unitDir, unit)))
      .filter(([k]) => k === 'ExecStart')
      .map(([, v]) => v.split(/\s+/))) {
      const at = cmd.indexOf('node');
      if (at < 0) continue;
      const flags = cmd
        .slice(at + 1)
        .filter((w, i, all) => w.startsWith('--') && w !== '--import' && all[i - 1] !== '--import');
      const r = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8' });
      expect(`${r.stderr}${r.status}`).toBe('0');
    }
  });

  it('gives the gateway a 64 MB young generation and 4x old-generation room, as the bench runs it (0225, 0242)', () => {
    expect(read(join(unitDir, 'onecard-gateway@.service'))).toMatch(
      /^ExecStart=\/usr\/bin\/env node --max-semi-space-size=64 --heap-growing-percent=400 --import tsx gateway\/src\/main\.ts$/m,
    );
    const bench = read(join(root, 'load/bench/main.ts'));
    expect(bench).toContain("'--max-semi-space-size=64',\n    '--heap-growing-percent=400',");
  });

  it('the broker unit runs the supervisor the tests run, on the shipped configuration', () => {
    const unit = read(join(unitDir, 'onecard-mosquitto.service'));
    expect(unit).toMatch(
      /^ExecStart=\/bin\/bash \/opt\/onecard\/scripts\/mosquitto-supervise\.sh \S+ \/etc\/onecard\/mosquitto\/mosquitto\.conf$/m,
    );
    expect(read(join(root, 'scripts/services.sh'))).toContain('scripts/mosquitto-supervise.sh');
    // The supervisor is a script bash can read (a syntax error would only show at start).
    execFileSync('bash', ['-n', join(root, 'scripts/mosquitto-supervise.sh')]);
  });
});
