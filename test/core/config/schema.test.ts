import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ConfigKey, type ConfigOf, checkValue, readConfig } from '../../../core/config/schema.js';

const base = { env: 'ONECARD_X', default: '', description: 'x' };
const int: ConfigKey = { ...base, kind: 'int', min: 1, max: 10 };
const hex: ConfigKey = { ...base, kind: 'string', pattern: /^[0-9a-f]{4}$/, expects: '4 hex chars' };
const bare: ConfigKey = { ...base, kind: 'string', pattern: /^[a-z]+$/ };
const secret: ConfigKey = { ...hex, secret: true };
const colour: ConfigKey = { ...base, kind: 'enum', values: ['red', 'green', ''] };
const version: ConfigKey = { ...base, kind: 'enum', values: [4, 5] };

describe('checkValue', () => {
  it.each<[string, ConfigKey, unknown, unknown]>([
    ['an int from text', int, '7', 7],
    ['an int from a JSON number', int, 7, 7],
    ['an int at its bounds', int, '10', 10],
    ['a string of the right form', hex, 'ab12', 'ab12'],
    ['a string with no pattern, a number from JSON', { ...base, kind: 'string' }, 12, '12'],
    ['an enum value', colour, 'green', 'green'],
    ['an empty enum value when listed', colour, '', ''],
    ['a numeric enum value from text, as a number', version, '4', 4],
    ['a numeric enum value from JSON', version, 5, 5],
  ])('takes %s', (_what, key, raw, value) => {
    expect(checkValue(key, raw)).toEqual({ ok: true, value });
  });

  it.each<[string, ConfigKey, unknown, string]>([
    ['text that is no number', int, 'lots', '"lots" is not a whole number'],
    ['an empty int', int, '', '"" is not a whole number'],
    ['a fraction', int, '1.5', '"1.5" is not a whole number'],
    ['an int out of range', int, '11', '11 is outside 1..10'],
    ['an empty required string', hex, '', 'is required'],
    [
      'a string of the wrong form, saying what it expects',
      hex,
      'xyz',
      '"xyz" has the wrong form (expected 4 hex chars)',
    ],
    ['a string of the wrong form with no words for it', bare, 'X', '"X" has the wrong form'],
    [
      'a secret of the wrong form, without its value',
      secret,
      'zz99',
      'the value has the wrong form (expected 4 hex chars)',
    ],
    [
      'a secret int out of range, without its value',
      { ...int, secret: true },
      '99',
      'the value is outside 1..10',
    ],
    ['an enum value not listed', colour, 'blue', '"blue" is not one of red, green, '],
    ['a numeric enum value not listed', version, '3', '"3" is not one of 4, 5'],
    ['a JSON object for a string', hex, { a: 1 }, 'expected text, got object'],
    ['a JSON null for an enum', colour, null, 'expected text, got object'],
  ])('refuses %s', (_what, key, raw, problem) => {
    expect(checkValue(key, raw)).toEqual({ ok: false, problem });
  });
});

describe('readConfig', () => {
  const schema = {
    size: { env: 'ONECARD_SIZE', kind: 'int', min: 1, max: 100, default: '10', description: 'Size' },
    name: { env: 'ONECARD_NAME', kind: 'string', default: 'a', description: 'Name', pattern: /^[a-z]+$/ },
    mode: {
      env: 'ONECARD_MODE',
      kind: 'enum',
      values: ['fast', 'slow'],
      default: 'slow',
      description: 'Mode',
    },
  } as const;

  it('takes code values, then the environment, then the file, then the default', () => {
    const { config, problems } = readConfig(schema, {
      values: { size: 3 },
      env: { ONECARD_SIZE: '4', ONECARD_NAME: 'env' },
      file: { size: 5, name: 'file', mode: 'fast' },
    });
    expect(problems).toEqual([]);
    expect(config).toEqual({ size: 3, name: 'env', mode: 'fast' });
    expect(readConfig(schema, {}).config).toEqual({ size: 10, name: 'a', mode: 'slow' });
  });

  it('takes trusted values unchecked, over everything else', () => {
    const { config, problems } = readConfig(schema, { trusted: { size: 1000 }, env: { ONECARD_SIZE: '4' } });
    expect(problems).toEqual([]);
    expect(config.size).toBe(1000);
  });

  it('reports every problem, in schema order, naming the key', () => {
    const { problems } = readConfig(schema, {
      env: { ONECARD_MODE: 'medium', ONECARD_SIZE: '0', ONECARD_NAME: 'A' },
    });
    expect(problems.map((p) => [p.name, p.key.env, p.problem])).toEqual([
      ['size', 'ONECARD_SIZE', '0 is outside 1..100'],
      ['name', 'ONECARD_NAME', '"A" has the wrong form'],
      ['mode', 'ONECARD_MODE', '"medium" is not one of fast, slow'],
    ]);
  });

  it('treats a JSON null in the file as a wrong value, not as absent', () => {
    const { problems } = readConfig(schema, { file: { name: null } });
    expect(problems.map((p) => p.problem)).toEqual(['expected text, got object']);
  });

  it('derives the config type from the schema: ints are numbers, enums their values', () => {
    const numeric = {
      v: { env: 'ONECARD_V', kind: 'enum', values: [4, 5], default: '5', description: 'V' },
    } as const;
    expectTypeOf<ConfigOf<typeof schema>>().toEqualTypeOf<{
      size: number;
      name: string;
      mode: 'fast' | 'slow';
    }>();
    expectTypeOf<ConfigOf<typeof numeric>>().toEqualTypeOf<{ v: 4 | 5 }>();
    expect(readConfig(numeric, {}).config).toEqual({ v: 5 });
  });
});
