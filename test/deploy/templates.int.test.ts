// scripts/deploy-render.sh, which turns deploy/'s templates into the files the tests and a city
// run (decision 0200), and the template matcher the other deploy tests rely on.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployDir, matchTemplate, placeholders, read, root } from './files.js';

const renderScript = join(root, 'scripts/deploy-render.sh');
const render = (template: string, ...pairs: string[]) =>
  spawnSync('bash', [renderScript, join(deployDir, template), ...pairs], { encoding: 'utf8' });

const templates = [
  'redis/redis.conf',
  'redis/replica.conf',
  'redis/sentinel.conf',
  'redis/cluster.conf',
  'postgresql/onecard.conf',
  'postgresql/pg_hba.conf',
  'mosquitto/mosquitto.conf',
  'mosquitto/gateway-user.acl',
];

describe('scripts/deploy-render.sh', () => {
  it.each(templates)('%s: renders with a value per placeholder, and the result matches it', (t) => {
    const names = placeholders(read(join(deployDir, t)));
    expect(names.length).toBeGreaterThan(0);
    const r = render(t, ...names.map((n) => `${n}=v-${n.toLowerCase()}`));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/@[A-Z][A-Z0-9_]*@/);
    expect(Object.fromEntries(matchTemplate(read(join(deployDir, t)), r.stdout)!)).toEqual(
      Object.fromEntries(names.map((n) => [n, `v-${n.toLowerCase()}`])),
    );
  });

  it('refuses a template with a placeholder left, and a name the template does not have', () => {
    const missing = render('redis/replica.conf', 'REDIS_CONF=/x', 'PRIMARY_HOST=h');
    expect([missing.status, missing.stdout, missing.stderr.trim()]).toEqual([
      2,
      '',
      `deploy-render: ${join(deployDir, 'redis/replica.conf')}: no value for @PRIMARY_PORT@`,
    ]);
    const typo = render('mosquitto/gateway-user.acl', 'USER=a', 'USR=b');
    expect([typo.status, typo.stdout]).toEqual([2, '']);
    expect(typo.stderr).toContain('has no @USR@');
  });

  it('puts values with slashes, spaces and ampersands in as they are', () => {
    const r = render('mosquitto/gateway-user.acl', 'USER=a/b c&d');
    expect(r.stdout).toContain('user a/b c&d\n');
  });
});

describe('matchTemplate', () => {
  const t = 'port @PORT@\ndir @DIR@/data\nlisten @PORT@\n';

  it('finds the values of a rendered text', () => {
    expect(matchTemplate(t, 'port 1\ndir /x/data\nlisten 1\n')).toEqual(
      new Map([
        ['PORT', '1'],
        ['DIR', '/x'],
      ]),
    );
  });

  it('refuses a changed line, an added line, and two values for one name', () => {
    expect(matchTemplate(t, 'port 1\ndir /x/other\nlisten 1\n')).toBeUndefined();
    expect(matchTemplate(t, 'port 1\ndir /x/data\nlisten 1\nsave ""\n')).toBeUndefined();
    expect(matchTemplate(t, 'port 1\ndir /x/data\nlisten 2\n')).toBeUndefined();
  });
});
