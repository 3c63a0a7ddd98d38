import { describe, expect, it } from 'vitest';
import type { Logger } from '../../edge-agent/src/log.js';
import { type Lifecycle, Modules, type NamedModule } from '../../edge-agent/src/modules.js';

function recorder() {
  const calls: string[] = [];
  const errors: Array<{ module: string; err: string }> = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (obj) => errors.push(obj as { module: string; err: string }),
  };
  const module = (name: string, fail?: 'start' | 'stop'): NamedModule => {
    const m: Lifecycle = {
      start() {
        calls.push(`start ${name}`);
        if (fail === 'start') throw new Error(`${name} cannot start`);
      },
      async stop() {
        calls.push(`stop ${name}`);
        if (fail === 'stop') throw new Error(`${name} cannot stop`);
      },
    };
    return [name, m];
  };
  return { calls, errors, log, module };
}

describe('the agent modules’ lifecycle', () => {
  it('starts in order and stops in reverse, once', async () => {
    const r = recorder();
    const modules = new Modules([r.module('lists'), r.module('link'), r.module('reader')], r.log);
    await modules.start();
    await modules.stop();
    await modules.stop();
    expect(r.calls).toEqual([
      'start lists',
      'start link',
      'start reader',
      'stop reader',
      'stop link',
      'stop lists',
    ]);
  });

  it('a start that fails stops what started, in reverse, and throws', async () => {
    const r = recorder();
    const modules = new Modules(
      [r.module('journal'), r.module('lists'), r.module('link', 'start'), r.module('reader')],
      r.log,
    );
    await expect(modules.start()).rejects.toThrow('link cannot start');
    expect(r.calls).toEqual(['start journal', 'start lists', 'start link', 'stop lists', 'stop journal']);
    expect(r.errors).toEqual([{ module: 'link', err: 'link cannot start' }]);
  });

  it('a stop that fails is logged and the others still stop', async () => {
    const r = recorder();
    const modules = new Modules([r.module('journal'), r.module('link', 'stop'), r.module('reader')], r.log);
    await modules.start();
    await modules.stop();
    expect(r.calls.slice(3)).toEqual(['stop reader', 'stop link', 'stop journal']);
    expect(r.errors).toEqual([{ module: 'link', err: 'link cannot stop' }]);
  });
});
