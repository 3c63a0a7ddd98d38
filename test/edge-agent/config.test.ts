import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../core/entry/rules.js';
import { EdgeConfigError, edgeConfigSchema, loadEdgeConfig } from '../../edge-agent/src/config.js';
import { gateFrom } from '../../edge-agent/src/rules/config.js';
import { LIST_KEYS } from '../support/lists.js';
import { TOKEN_KEY_HEX } from './support.js';

const required = {
  ONECARD_EDGE_DEVICE_ID: 'bus-1',
  ONECARD_EDGE_OPERATOR_ID: 'busco',
  ONECARD_EDGE_ROUTE_ID: 'r12',
  ONECARD_EDGE_TOKEN_KEY: TOKEN_KEY_HEX,
  ONECARD_EDGE_LIST_KEYS: LIST_KEYS,
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof EdgeConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected an EdgeConfigError');
}

describe('edge agent configuration', () => {
  it('marks every private key and credential secret: never echoed in a problem', () => {
    // Public keys, key ids and the key file's path are not secret; anything else named like a
    // key or credential is.
    const publicOnes = ['listKeys', 'qrIssuerKeys', 'deviceKeyFile'];
    for (const [name, key] of Object.entries(edgeConfigSchema))
      if (/key|credential|password|secret/i.test(name) && !publicOnes.includes(name))
        expect('secret' in key && key.secret, name).toBe(true);
    const credential = `bus-1.${'x'.repeat(42)}!`;
    const problems = problemsOf(() =>
      loadEdgeConfig({ env: { ...required, ONECARD_EDGE_GATEWAY_CREDENTIAL: credential } }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^gatewayCredential .*: the value has the wrong form/);
    expect(problems[0]).not.toContain('xxxx');
  });

  it('gives every key an environment variable, a default and a description', () => {
    for (const [name, key] of Object.entries(edgeConfigSchema)) {
      expect(key.env, name).toMatch(/^ONECARD_EDGE_[A-Z0-9_]+$/);
      expect(typeof key.default, name).toBe('string');
      expect(key.description.length, name).toBeGreaterThan(5);
    }
  });

  it('reads ONECARD_EDGE_* variables and fills in the documented defaults', () => {
    const config = loadEdgeConfig({ env: required });
    expect(config).toMatchObject({
      deviceId: 'bus-1',
      operatorId: 'busco',
      profile: 'bus_validator',
      routeId: 'r12',
      mqttProtocolVersion: 5,
      batchMaxTaps: 100,
      batchMaxDelayMs: 200,
      maxInflightBatches: 8,
      ackTimeoutMs: 5000,
      journalFile: '.run/edge-bus-1.db',
    });
  });

  it('lets values given in code win over the environment', () => {
    const config = loadEdgeConfig({
      env: { ...required, ONECARD_EDGE_BATCH_MAX_TAPS: '50' },
      values: { batchMaxTaps: 7 },
    });
    expect(config.batchMaxTaps).toBe(7);
  });

  it('reads MQTT protocol 4 for the embedded aedes broker as a number', () => {
    expect(
      loadEdgeConfig({ env: { ...required, ONECARD_EDGE_MQTT_PROTOCOL_VERSION: '4' } }).mqttProtocolVersion,
    ).toBe(4);
  });

  it('reports every problem at once, in words', () => {
    const problems = problemsOf(() =>
      loadEdgeConfig({
        env: {
          ONECARD_EDGE_OPERATOR_ID: 'bus/co',
          ONECARD_EDGE_PROFILE: 'tram',
          ONECARD_EDGE_BATCH_MAX_TAPS: 'lots',
          ONECARD_EDGE_ACK_TIMEOUT_MS: '0',
          ONECARD_EDGE_MQTT_URL: 'localhost:1883',
          ONECARD_EDGE_TOKEN_KEY: 'abc',
        },
      }),
    );
    expect(problems).toEqual([
      'deviceId (ONECARD_EDGE_DEVICE_ID, Device id: MQTT client id and topic level (required)): is required',
      'operatorId (ONECARD_EDGE_OPERATOR_ID, Operator id: topic level (required)): "bus/co" has the wrong form (expected 1 to 64 letters, digits, _ . -)',
      'profile (ONECARD_EDGE_PROFILE, What the device is; decides the rules and which location ids are required): "tram" is not one of bus_validator, metro_entry_gate, metro_exit_gate, station_id_gate, library_gate, museum_gate, scenic_turnstile',
      'mqttUrl (ONECARD_EDGE_MQTT_URL, MQTT broker URL): "localhost:1883" has the wrong form (expected a URL starting with mqtt://, mqtts://, ws://, wss:// or tcp://)',
      'listKeys (ONECARD_EDGE_LIST_KEYS, Gateway public keys that sign the lists, keyId:<64 hex> (Ed25519) or sm2-…:<130 hex> (SM2, 04‖x‖y), comma-separated for rotation (required)): is required',
      'tokenKeyHex (ONECARD_EDGE_TOKEN_KEY, Card-token HMAC key, 64+ hex chars, the same as the gateway (required)): the value has the wrong form (expected at least 64 hexadecimal characters)',
      'batchMaxTaps (ONECARD_EDGE_BATCH_MAX_TAPS, Most taps in one TapBatch): "lots" is not a whole number',
      'ackTimeoutMs (ONECARD_EDGE_ACK_TIMEOUT_MS, A batch not acknowledged within this is sent again, ms): 0 is outside 10..600000',
    ]);
  });

  it.each([
    ['bus_validator', 'routeId (ONECARD_EDGE_ROUTE_ID) is required for the bus_validator profile'],
    ['metro_entry_gate', 'stationId (ONECARD_EDGE_STATION_ID) is required for the metro_entry_gate profile'],
    ['metro_exit_gate', 'stationId (ONECARD_EDGE_STATION_ID) is required for the metro_exit_gate profile'],
    ['station_id_gate', 'stationId (ONECARD_EDGE_STATION_ID) is required for the station_id_gate profile'],
    ['library_gate', 'venueId (ONECARD_EDGE_VENUE_ID) is required for the library_gate profile'],
    ['museum_gate', 'venueId (ONECARD_EDGE_VENUE_ID) is required for the museum_gate profile'],
    ['scenic_turnstile', 'venueId (ONECARD_EDGE_VENUE_ID) is required for the scenic_turnstile profile'],
  ])('requires the location ids of the %s profile', (profile, problem) => {
    const env = { ...required, ONECARD_EDGE_PROFILE: profile, ONECARD_EDGE_ROUTE_ID: '' };
    expect(problemsOf(() => loadEdgeConfig({ env }))).toEqual([problem]);
  });

  it('refuses an operator id the topic map reserves', () => {
    expect(
      problemsOf(() => loadEdgeConfig({ env: { ...required, ONECARD_EDGE_OPERATOR_ID: 'lists' } })),
    ).toEqual(['operatorId "lists" is reserved by the topic map (docs/topics.md)']);
  });

  it('takes the profile default entry rules, with configured overrides on top', () => {
    const env = {
      ...required,
      ONECARD_EDGE_PROFILE: 'museum_gate',
      ONECARD_EDGE_VENUE_ID: 'mus-1',
      ONECARD_EDGE_ENTRY_ANTI_PASSBACK_MIN: '0',
      ONECARD_EDGE_ENTRY_SLOT_AFTER_MIN: '45',
    };
    const config = loadEdgeConfig({ env });
    expect(gateFrom(config).rules).toEqual({
      ...defaultRules.museum_gate,
      antiPassbackMin: 0,
      slotToleranceAfterMin: 45,
    });
    expect(gateFrom(config).risk).toEqual({
      maxTapsPerCardPerHour: 10,
      maxUnconfirmedFen: 2000,
      fareEstimateFen: 200,
    });
  });

  it('says which entry rule has the wrong form or is out of range', () => {
    const bad = {
      ...required,
      ONECARD_EDGE_ENTRY_MAX_PER_DAY: 'two',
      ONECARD_EDGE_ENTRY_EXIT_WITHOUT_ENTRY: 'maybe',
    };
    expect(problemsOf(() => loadEdgeConfig({ env: bad }))).toEqual([
      'entryMaxPerDay (ONECARD_EDGE_ENTRY_MAX_PER_DAY, Passages per card per day at this gate, 0 unlimited (empty: the profile default, core/entry/rules.ts)): "two" has the wrong form (expected a whole number, or empty for the profile default)',
      'entryExitWithoutEntry (ONECARD_EDGE_ENTRY_EXIT_WITHOUT_ENTRY, An exit with no entry known: allow (unchecked), flag, deny (empty: the profile default)): "maybe" is not one of , allow, flag, deny',
    ]);
    const range = { ...required, ONECARD_EDGE_ENTRY_ANTI_PASSBACK_MIN: '5000' };
    expect(problemsOf(() => loadEdgeConfig({ env: range }))).toEqual([
      'entry rules (ONECARD_EDGE_ENTRY_*): antiPassbackMin must be a whole number from 0 to 1440, got 5000',
    ]);
  });
});
