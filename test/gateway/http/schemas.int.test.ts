// Every number a request can carry is a safe integer within explicit bounds, and every string
// has a bounded length: checked on the OpenAPI document of a gateway with every area on, so a
// route added without bounds fails here (docs/decisions/0156).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFullGateway } from '../../support/full-gateway.js';
import type { TestGateway } from '../../support/gateway.js';

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: Array<{ in: string; name: string; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
}

let t: TestGateway;
let paths: Record<string, Record<string, Operation>>;

beforeAll(async () => {
  t = await startFullGateway();
  paths = ((await (await fetch(`${t.gw.url}/openapi.json`)).json()) as { paths: typeof paths }).paths;
});
afterAll(async () => t?.gw.stop());

/** Every leaf of a request schema that is unbounded, as "where: why". */
function unbounded(schema: Schema, where: string, out: string[]): string[] {
  const type = schema.type;
  if (type === 'integer' || type === 'number') {
    const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
    if (type === 'number') out.push(`${where}: a number that is not an integer`);
    if (typeof minimum !== 'number' || typeof maximum !== 'number')
      out.push(`${where}: no minimum or maximum`);
    else if (!Number.isSafeInteger(minimum) || !Number.isSafeInteger(maximum))
      out.push(`${where}: bounds beyond the safe integers`);
  }
  if (type === 'string' && schema.enum === undefined && schema.const === undefined) {
    const bounded =
      typeof schema.maxLength === 'number' || /\{\d*,?\d+\}\$$/.test(String(schema.pattern ?? ''));
    if (!bounded) out.push(`${where}: a string without maxLength`);
  }
  if (type === 'array' && typeof schema.maxItems !== 'number' && !schema.uniqueItems)
    out.push(`${where}: an array without maxItems`);
  for (const [k, v] of Object.entries((schema.properties as Record<string, Schema>) ?? {}))
    unbounded(v, `${where}.${k}`, out);
  if (schema.items) unbounded(schema.items as Schema, `${where}[]`, out);
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const)
    for (const [i, s] of ((schema[key] as Schema[]) ?? []).entries()) unbounded(s, `${where}<${i}>`, out);
  return out;
}

describe('request schemas', () => {
  it('cover many routes (the document is the whole API)', () => {
    expect(Object.keys(paths).length).toBeGreaterThan(50);
  });

  it('bound every number, string and list a request carries', () => {
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(paths))
      for (const [method, op] of Object.entries(ops)) {
        const at = `${method.toUpperCase()} ${path}`;
        for (const p of op.parameters ?? []) unbounded(p.schema, `${at} ${p.in}.${p.name}`, problems);
        for (const c of Object.values(op.requestBody?.content ?? {}))
          unbounded(c.schema, `${at} body`, problems);
      }
    expect(problems).toEqual([]);
  });
});
