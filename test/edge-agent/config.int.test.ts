// The JSON configuration file (a real file: hence an integration test).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EdgeConfigError, loadEdgeConfig } from '../../edge-agent/src/config.js';
import { LIST_KEYS } from '../support/lists.js';
import { TOKEN_KEY_HEX } from './support.js';

describe('edge agent configuration file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'onecard-edge-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (content: string) => {
    const file = join(dir, 'edge.json');
    writeFileSync(file, content);
    return file;
  };

  it('reads settings from a JSON file, numbers as numbers, and lets the environment override them', () => {
    const file = write(
      JSON.stringify({
        deviceId: 'gate-3',
        operatorId: 'metro',
        profile: 'metro_exit_gate',
        stationId: 'st-9',
        tokenKeyHex: TOKEN_KEY_HEX,
        listKeys: LIST_KEYS,
        batchMaxTaps: 20,
        mqttProtocolVersion: 4,
      }),
    );
    const config = loadEdgeConfig({ file, env: { ONECARD_EDGE_BATCH_MAX_TAPS: '30' } });
    expect(config).toMatchObject({
      deviceId: 'gate-3',
      profile: 'metro_exit_gate',
      stationId: 'st-9',
      batchMaxTaps: 30,
      mqttProtocolVersion: 4,
    });
  });

  it('reports unknown keys and wrong types together with the other problems', () => {
    const file = write(
      JSON.stringify({ deviceId: 'gate-3', colour: 'red', batchMaxTaps: '12x', routeId: ['r1'] }),
    );
    try {
      loadEdgeConfig({ file });
      expect.unreachable();
    } catch (err) {
      const problems = (err as EdgeConfigError).problems;
      expect(problems).toContain(`configuration file ${file}: "colour" is not a setting of the edge agent`);
      expect(
        problems.some((p) => p.startsWith('batchMaxTaps') && p.endsWith('"12x" is not a whole number')),
      ).toBe(true);
      expect(problems.some((p) => p.startsWith('routeId') && p.endsWith('expected text, got object'))).toBe(
        true,
      );
      expect(problems.some((p) => p.startsWith('operatorId') && p.endsWith('is required'))).toBe(true);
    }
  });

  it('says so when the file is not JSON', () => {
    const file = write('deviceId = gate-3');
    expect(() => loadEdgeConfig({ file })).toThrow(`configuration file ${file} cannot be read as JSON`);
  });
});
