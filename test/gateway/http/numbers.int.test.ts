// Numbers are numbers (issue 9, decision 0156): on every route that takes a number, in the
// body or the query string, the spellings that once coerced to ±Infinity ("1e309", "Infinity",
// "-1e309") and their cousins are refused with 400 BAD_REQUEST and change nothing. Each attempt
// is paired with the same request holding a plain valid number, which must get past validation:
// the refusal is about the number, not about the rest of the request.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFullGateway } from '../../support/full-gateway.js';
import type { TestGateway } from '../../support/gateway.js';
import { bearerFor, holderBearer } from '../../support/operators.js';
import { snapshotState } from '../../support/state-snapshot.js';

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  pattern?: string;
  minLength?: number;
  default?: unknown;
};
interface Operation {
  parameters?: Array<{ in: string; name: string; schema: Schema; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
}

/** JSON source text of each hostile number, as a body would carry it. */
const HOSTILE_BODY = [
  '1e309',
  '-1e309',
  '"1e309"',
  '"Infinity"',
  '"-Infinity"',
  '"NaN"',
  '"-1e309"',
  '"12"',
  '1.5',
  '1e300',
  '-1e300',
  '9007199254740993',
  'true',
  'null',
  '[1]',
  '{}',
];
/** The same in a query string. */
const HOSTILE_QUERY = [
  '1e309',
  'Infinity',
  '-Infinity',
  '-1e309',
  'NaN',
  '1.5',
  '1e20',
  '0x10',
  '+5',
  ' 5',
  '1_0',
  '',
];

let t: TestGateway;
let cardToken: string;
let auth: Record<string, string>;
let paths: Record<string, Record<string, Operation>>;

beforeAll(async () => {
  t = await startFullGateway();
  const admin = await bearerFor(t.gw.url, 'admin');
  const card = await fetch(`${t.gw.url}/v1/cards`, {
    method: 'POST',
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ cardNumber: 'N10000009', region: '110000', balanceFen: 5000 }),
  });
  cardToken = ((await card.json()) as { token: string }).token;
  const device = await fetch(`${t.gw.url}/v1/devices`, {
    method: 'POST',
    headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify({
      deviceId: 'x1',
      operatorId: 'museums',
      profile: 'museum_gate',
      venueId: 'fuzz-museum',
    }),
  });
  const credential = ((await device.json()) as { credential: string }).credential;
  auth = { admin, holder: await holderBearer(t.gw.url, 'N10000009'), device: `Device ${credential}` };
  paths = ((await (await fetch(`${t.gw.url}/openapi.json`)).json()) as { paths: typeof paths }).paths;
});
afterAll(async () => t?.gw.stop());

/** Fields whose valid value is one this suite made (the device, the venue). */
const KNOWN: Record<string, string> = { deviceId: 'x1', venueId: 'fuzz-museum' };

/** A value the schema accepts (deterministic): enum's first, the minimum, a matching string. */
function valid(schema: Schema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, Math.min(1, schema.maximum ?? 1));
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => valid(schema.items ?? {}));
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((k) => [k, KNOWN[k] ?? valid(schema.properties?.[k] ?? {})]),
      );
    default:
      return schema.pattern
        ? fc.sample(fc.stringMatching(new RegExp(schema.pattern)), { numRuns: 1, seed: 7 })[0]
        : 'x'.repeat(Math.max(1, schema.minLength ?? 1));
  }
}

function pathOf(path: string): string {
  const fill: Record<string, string> = {
    token: cardToken,
    venueId: 'fuzz-museum',
    kind: 'flags',
    scope: 'all',
  };
  return path.replace(/\{(\w+)\}/g, (_, name: string) => fill[name] ?? 'x1');
}

interface Case {
  name: string;
  method: string;
  url: (n: string) => string;
  body: (n: string) => string | undefined;
}

/** One case per number field: the request with the number's JSON text spliced in. */
function cases(): Case[] {
  const out: Case[] = [];
  for (const [path, ops] of Object.entries(paths))
    for (const [method, op] of Object.entries(ops)) {
      const url = `${t.gw.url}${pathOf(path)}`;
      for (const p of op.parameters ?? [])
        if (p.in === 'query' && (p.schema.type === 'integer' || p.schema.type === 'number'))
          out.push({
            name: `${method.toUpperCase()} ${path} ?${p.name}`,
            method,
            url: (n) => `${url}?${p.name}=${encodeURIComponent(n)}`,
            body: () => undefined,
          });
      const schema = op.requestBody?.content['application/json']?.schema;
      for (const [field, s] of Object.entries(schema?.properties ?? {}))
        if (s.type === 'integer' || s.type === 'number') {
          const rest = JSON.stringify({ ...(valid(schema!) as object), [field]: 0 });
          out.push({
            name: `${method.toUpperCase()} ${path} body.${field}`,
            method,
            url: () => url,
            body: (n) => rest.replace(`"${field}":0`, `"${field}":${n}`),
          });
        }
    }
  return out;
}

async function send(c: Case, n: string) {
  const body = c.body(n);
  const res = await fetch(c.url(n), {
    method: c.method.toUpperCase(),
    headers: {
      authorization: c.name.includes('/v1/holder/')
        ? auth.holder!
        : c.name.includes('/v1/qr/online-check')
          ? auth.device!
          : auth.admin!,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body,
  });
  const text = await res.text();
  // Problems are JSON; a CSV export that went through is not, and has no code.
  const code = res.headers.get('content-type')?.includes('json')
    ? (JSON.parse(text || '{}') as { code?: string }).code
    : undefined;
  return { status: res.status, code };
}

describe('numbers on every route that takes one', () => {
  it('there are such routes (the list below is not empty by accident)', () => {
    expect(cases().length).toBeGreaterThan(20);
  });

  it('refuse non-finite, fractional, unsafe and mistyped numbers with 400, and change nothing', async () => {
    const wrong: string[] = [];
    for (const c of cases()) {
      const ok = await send(c, '1');
      // The same request with a plain number passes validation (it may still be refused by a
      // domain rule, a missing record or a role: that is not what this test is about).
      if (ok.code === 'BAD_REQUEST' || ok.status === 401 || ok.status === 403)
        wrong.push(`${c.name} = 1 refused (${ok.status} ${ok.code}): the case is broken`);
      for (const n of c.name.includes('?') ? HOSTILE_QUERY : HOSTILE_BODY) {
        const before = snapshotState(join(t.dir, 'gw.db'));
        const r = await send(c, n);
        const after = snapshotState(join(t.dir, 'gw.db'));
        if (r.status !== 400) wrong.push(`${c.name} = ${n} → ${r.status} ${r.code}`);
        if (after.fingerprint !== before.fingerprint)
          wrong.push(`${c.name} = ${n} changed ${after.diff(before).join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
