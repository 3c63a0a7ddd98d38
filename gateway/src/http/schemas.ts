// JSON Schemas shared by the routes (they also make the OpenAPI document). Response schemas
// double as an allow-list: fastify serialises only the listed fields, so nothing unlisted
// (and nothing personal) can slip into an answer.

export const problem = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json)',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable machine-readable code' },
    detail: { type: 'string' },
  },
  required: ['title', 'status', 'code'],
} as const;

export const card = {
  $id: 'Card',
  type: 'object',
  properties: {
    token: { type: 'string', description: 'Keyed token of the card number (32 hex)' },
    masked: { type: 'string', description: 'Masked card number for display' },
    region: { type: 'string', description: 'Issuing region (6-digit division code)' },
    status: { type: 'string', enum: ['active', 'lost', 'frozen'] },
    balanceFen: { type: 'integer', description: 'Transit account balance, fen (0.01 CNY)' },
    concessions: { type: 'array', items: { type: 'string' } },
  },
  required: ['token', 'masked', 'region', 'status', 'balanceFen', 'concessions'],
} as const;

export const record = {
  $id: 'Record',
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: {
      type: 'string',
      enum: ['ride', 'topup', 'visit', 'purchase', 'adjustment'],
      description:
        'adjustment: a fare charged with no tap of its own (a missing tap-out, docs/decisions/0113)',
    },
    cardToken: { type: 'string' },
    cardMasked: { type: 'string' },
    operatorId: { type: 'string' },
    deviceId: { type: 'string' },
    seq: { type: 'integer' },
    routeId: { type: 'string' },
    stopId: { type: 'string' },
    stationId: { type: 'string' },
    venueId: { type: 'string' },
    direction: { type: 'string' },
    credential: { type: 'string' },
    at: { type: 'integer', description: 'When it happened, Unix ms' },
    committedAt: { type: 'integer' },
    edgeDecision: { type: 'string' },
    edgeReason: { type: 'string' },
    offline: { type: 'boolean' },
    concession: { type: 'string' },
    baseFen: { type: 'integer' },
    chargedFen: { type: 'integer', description: 'Fen charged; the sum of lines' },
    lines: {
      type: 'array',
      description: 'Explanation of the charge (core/tariff/lines.ts): every fen is on one line',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          fen: { type: 'integer', description: 'Signed fen' },
          note: { type: 'string' },
        },
        required: ['kind', 'fen', 'note'],
      },
    },
    subsidyFen: {
      type: 'integer',
      description:
        'Concession subsidy: what the concession waived beyond the ordinary card price (negative when a late exit gives one back; docs/decisions/0162)',
    },
    amountFen: { type: 'integer' },
    balanceAfterFen: { type: 'integer' },
    outcome: { type: 'string' },
    reason: { type: 'string', description: 'Reason code (docs/reason-codes.md)' },
    entitlementId: { type: 'string', description: 'Visits: the ticket, reservation or pass admitted on' },
  },
} as const;

export const recordPage = {
  $id: 'RecordPage',
  type: 'object',
  properties: {
    items: { type: 'array', items: { $ref: 'Record#' } },
    nextCursor: { type: 'string' },
  },
  required: ['items'],
} as const;

export const tapResult = {
  $id: 'MoneyResult',
  type: 'object',
  properties: {
    outcome: { type: 'string' },
    balanceAfterFen: { type: 'integer' },
    reason: { type: 'string' },
    duplicate: { type: 'boolean', description: 'true when this request id was already applied' },
  },
} as const;

export const errors = {
  400: { $ref: 'Problem#' },
  401: { $ref: 'Problem#' },
  403: { $ref: 'Problem#' },
  404: { $ref: 'Problem#' },
  409: { $ref: 'Problem#' },
  500: { $ref: 'Problem#' },
} as const;

export const tokenParam = {
  type: 'object',
  properties: { token: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
  required: ['token'],
} as const;

export const cardNumber = {
  type: 'string',
  minLength: 6,
  maxLength: 32,
  pattern: '^[A-Za-z0-9]+$',
  description: 'Card number (社保卡卡号); sent in the body only, never in a URL',
} as const;

/**
 * A time as Unix ms: 1970 to 2100. Bounded so no request can carry a time that overflows a
 * date computation or an index (decision 0156).
 */
export const unixMs = { type: 'integer', minimum: 0, maximum: 4_102_444_800_000 } as const;

/** A list version or sequence number: a safe integer. */
export const version = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** The query string of a paged list: page size and the opaque cursor of the previous page. */
export const pageQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 200 },
  },
  additionalProperties: false,
} as const;
