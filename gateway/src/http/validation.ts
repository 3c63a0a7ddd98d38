// What a request may carry, before any handler sees it (docs/decisions/0156):
// - numbers are numbers: a JSON body is never coerced ("1e309" stays a string and is refused),
//   the query string and path are (they are text), and on every part NaN and ±Infinity fail
//   every number and integer schema (Ajv's strictNumbers; without it "1e309" coerced to
//   Infinity passed `type: integer` and skipped minimum and maximum);
// - free text carries no personal data: any string in the body, query or path shaped like an ID
//   number, a card number or a bank card number (core/pii.ts personalDataShape) is refused,
//   except in the few fields whose job is to carry a card number (PERSONAL_FIELDS).
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type PersonalDataShape, personalDataShape } from '../../../core/pii.js';

type BuildValidator = ReturnType<typeof AjvCompiler>;
type Compile = (route: { schema: object; method: string; url: string; httpPart?: string }) => unknown;

/**
 * Fastify's validator factory with one Ajv for bodies (no coercion) and one for the text parts
 * (query string, path, headers: coerced from strings). Both refuse non-finite numbers.
 */
export function buildValidator(): BuildValidator {
  const pool = AjvCompiler();
  const factory = (externalSchemas: unknown) => {
    const external = externalSchemas as Parameters<BuildValidator>[0];
    const body = pool(external, { customOptions: { strictNumbers: true, coerceTypes: false } }) as Compile;
    const text = pool(external, { customOptions: { strictNumbers: true, coerceTypes: 'array' } }) as Compile;
    const compile: Compile = (route) => (route.httpPart === 'body' ? body : text)(route);
    return compile;
  };
  return factory as unknown as BuildValidator;
}

/**
 * Fields that exist to carry a card number into the gateway (then turned into a token at once),
 * and secrets that are never stored or logged. Every other string is free text here.
 */
export const PERSONAL_FIELDS: ReadonlySet<string> = new Set(['cardNumber', 'password']);

export interface PersonalDataFound {
  /** Where: body.requestId, query.route, params.deviceId... */
  field: string;
  shape: PersonalDataShape;
}

/** The first string in a parsed request part that is shaped like personal data, if any. */
export function findPersonalData(value: unknown, path: string, depth = 0): PersonalDataFound | undefined {
  if (typeof value === 'string') {
    const shape = personalDataShape(value);
    return shape ? { field: path, shape } : undefined;
  }
  // Validated parts are shallow; the depth bound keeps a hostile unvalidated part cheap.
  if (value === null || typeof value !== 'object' || depth > 8) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findPersonalData(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    if (PERSONAL_FIELDS.has(k)) continue;
    const found = findPersonalData(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Parts of this route that legitimately carry text the personal-data check would misread
     * (a signed QR code, a base64 signature), by dotted field path: 'body.code'.
     */
    opaqueFields?: readonly string[];
  }
}

/**
 * 400 with a stable code: in the URL (query string, path) CARD_NUMBER_IN_URL or
 * ID_NUMBER_IN_URL (a URL lands in proxy logs and browser history), in a body
 * PERSONAL_DATA_IN_FIELD. The detail names the field and the shape, never the value.
 */
export class PersonalDataError extends Error {
  readonly statusCode = 400;
  readonly code: 'CARD_NUMBER_IN_URL' | 'ID_NUMBER_IN_URL' | 'PERSONAL_DATA_IN_FIELD';
  constructor(readonly found: PersonalDataFound) {
    super(
      `${found.field} looks like ${found.shape.replaceAll('_', ' ')}: personal data is not taken in this field (use a token or another id)`,
    );
    this.code = found.field.startsWith('body')
      ? 'PERSONAL_DATA_IN_FIELD'
      : found.shape === 'id_number'
        ? 'ID_NUMBER_IN_URL'
        : 'CARD_NUMBER_IN_URL';
  }
}

function checkRequest(req: FastifyRequest): void {
  const opaque = req.routeOptions.config.opaqueFields;
  for (const [part, value] of [
    ['params', req.params],
    ['query', req.query],
    ['body', req.body],
  ] as const) {
    if (value === undefined || value === null) continue;
    const v =
      opaque && typeof value === 'object' && !Array.isArray(value)
        ? withoutOpaque(part, value as Record<string, unknown>, opaque)
        : value;
    const found = findPersonalData(v, part);
    if (found) throw new PersonalDataError(found);
  }
}

function withoutOpaque(part: string, value: Record<string, unknown>, opaque: readonly string[]) {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!opaque.includes(`${part}.${k}`)) copy[k] = v;
  return copy;
}

/** Refuses, after schema validation and before the handler, a request carrying personal data. */
export function refusePersonalData(app: FastifyInstance): void {
  app.addHook('preHandler', async (req) => checkRequest(req));
}

const DECIMAL_INTEGER = /^-?[0-9]{1,16}$/;

/**
 * Integers in the query string and path are written in plain decimal digits. Ajv coerces
 * "1e309", "-Infinity" and "0x10" to numbers and does not check the type again after
 * coercing (so ±Infinity passed, and minimum and maximum are skipped for non-finite numbers);
 * refusing anything but digits before validation closes that for every route at once.
 */
export function strictTextIntegers(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const schema = req.routeOptions.schema as
      | {
          querystring?: { properties?: Record<string, { type?: unknown }> };
          params?: { properties?: Record<string, { type?: unknown }> };
        }
      | undefined;
    for (const [part, values] of [
      ['query', req.query],
      ['params', req.params],
    ] as const) {
      const props = (part === 'query' ? schema?.querystring : schema?.params)?.properties;
      if (!props || !values || typeof values !== 'object') continue;
      for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
        const type = props[name]?.type;
        if (type !== 'integer' && type !== 'number') continue;
        for (const v of Array.isArray(value) ? value : [value])
          if (typeof v === 'string' && !DECIMAL_INTEGER.test(v))
            throw new NotAnIntegerError(`${part}.${name}`);
      }
    }
  });
}

export class NotAnIntegerError extends Error {
  readonly statusCode = 400;
  readonly code = 'BAD_REQUEST';
  constructor(field: string) {
    super(`${field} must be an integer in decimal digits`);
  }
}

/**
 * A URL for the log: the query string's names with their values left out, and any path
 * segment shaped like personal data (a card number typed where a token goes) replaced.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q))
    .split('/')
    .map((segment) => (personalDataShape(safeDecode(segment)) ? '…' : segment))
    .join('/');
  if (q < 0) return path;
  const names = url
    .slice(q + 1)
    .split('&')
    .map((pair) => pair.split('=')[0]);
  return `${path}?${names.map((n) => `${n}=…`).join('&')}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
