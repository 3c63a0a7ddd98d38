import { describe, expect, it } from 'vitest';
import { configTable } from '../../../core/config/readme.js';
import type { ConfigSchema } from '../../../core/config/schema.js';

const schema: ConfigSchema = {
  port: { env: 'ONECARD_PORT', kind: 'int', min: 0, max: 65535, default: '8080', description: 'Port' },
  id: { env: 'ONECARD_ID', kind: 'string', default: 'gw-123', shownDefault: 'gw-<pid>', description: 'Id' },
  key: { env: 'ONECARD_KEY', kind: 'string', default: '', description: 'Key', secret: true },
  mode: { env: 'ONECARD_MODE', kind: 'enum', values: ['', 'on', 'off'], default: '', description: 'Mode' },
};

describe('configTable', () => {
  it('writes one row per key: variable, default (empty or as shown), meaning and enum values', () => {
    expect(configTable(schema)).toBe(
      [
        '| variable | default | meaning |',
        '|---|---|---|',
        '| `ONECARD_PORT` | `8080` | Port |',
        '| `ONECARD_ID` | `gw-<pid>` | Id |',
        '| `ONECARD_KEY` | (empty) | Key |',
        '| `ONECARD_MODE` | (empty) | Mode ((empty) \\| on \\| off) |',
      ].join('\n'),
    );
  });
  it('adds the setting names when asked (the edge agent reads them from its JSON file)', () => {
    expect(configTable({ port: schema.port! }, { withNames: true })).toBe(
      [
        '| setting | variable | default | meaning |',
        '|---|---|---|---|',
        '| `port` | `ONECARD_PORT` | `8080` | Port |',
      ].join('\n'),
    );
  });
});
