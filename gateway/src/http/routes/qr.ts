// E-card QR issuing (docs/decisions/0060-qr-credentials.md): the holder's app obtains its
// credential, venues issue signed tickets and reservations, devices fetch the issuer public
// keys and ask for online checks of outside issuers' codes.
//
// Who may call which route: auth/qr-guard.ts, one hook on this folder (the holder's token must
// name the card in the body; tickets need an operator allowed to issue them; the online check
// a device credential; the keys are public).
import * as s from '../schemas.js';
import type { RoutePlugin } from '../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { ...s.errors, 502: problem, 503: problem, 504: problem } as const;
const venueId = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' } as const;

export const qrRoutes: RoutePlugin = async (app, { services }) => {
  const { cards } = services;
  const qr = services.qr;
  if (!qr) return;

  app.post(
    '/v1/holder/qr-credential',
    {
      schema: {
        tags: ['holder'],
        summary: "My e-card app's credential: card token, concessions and validity bound to the app's key",
        body: {
          type: 'object',
          properties: {
            cardNumber: s.cardNumber,
            appPublicKey: {
              type: 'string',
              pattern: '^[A-Za-z0-9_-]{43}$',
              description: "The app's Ed25519 public key, 32 bytes base64url (no padding)",
            },
          },
          required: ['cardNumber', 'appPublicKey'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              credential: { type: 'string', description: 'The signed credential, base64url (127 bytes)' },
              keyId: { type: 'integer', description: 'Issuer key id that signed it' },
              notBefore: { type: 'integer', description: 'Valid from, Unix ms' },
              notAfter: { type: 'integer', description: 'Valid until, Unix ms: renew before' },
              bytes: { type: 'integer' },
            },
            required: ['credential', 'keyId', 'notBefore', 'notAfter', 'bytes'],
          },
          ...errors,
        },
      },
    },
    async (req) =>
      qr.credentialFor(await cards.get(cards.tokenOf(req.body.cardNumber)), req.body.appPublicKey),
  );

  app.post(
    '/v1/tickets',
    {
      schema: {
        tags: ['venues'],
        summary: 'Issue a signed single-use ticket or reservation for a venue, day and time slot',
        body: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: ['ticket', 'reservation'] },
            venueId,
            date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Local date (UTC+8)' },
            slotStartMin: { type: 'integer', minimum: 0, maximum: 1439, default: 0 },
            slotEndMin: { type: 'integer', minimum: 1, maximum: 1440, default: 1440 },
            cardNumber: {
              ...s.cardNumber,
              description: 'Real-name holder (实名预约); omit for an unnamed ticket',
            },
          },
          required: ['kind', 'venueId', 'date'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              ticketId: { type: 'string' },
              kind: { type: 'string' },
              venueId: { type: 'string' },
              date: { type: 'string' },
              slotStartMin: { type: 'integer' },
              slotEndMin: { type: 'integer' },
              code: { type: 'string', description: 'The QR text ("OC:" + base45)' },
              bytes: { type: 'integer', description: 'Payload bytes before base45' },
            },
            required: ['ticketId', 'code', 'bytes'],
          },
          ...errors,
        },
      },
    },
    async (req) => qr.ticket(req.body),
  );

  app.get(
    '/v1/qr/keys',
    {
      schema: {
        tags: ['lists'],
        summary: 'Issuer public keys devices verify QR codes with (edge config qrIssuerKeys)',
        response: {
          200: {
            type: 'object',
            properties: {
              signingKeyId: { type: ['integer', 'null'] },
              keys: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    keyId: { type: 'integer' },
                    publicKey: {
                      type: 'string',
                      description: 'hex: Ed25519 32 bytes (key ids 0-127) or SM2 65 bytes 04‖x‖y (128-255)',
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    async () => qr.publicKeys(),
  );

  app.post(
    '/v1/qr/online-check',
    {
      // An outside issuer's code is its own format (it may be all digits): passed on, never kept.
      config: { opaqueFields: ['body.code'] },
      schema: {
        tags: ['devices'],
        summary: "A device asks whether an outside issuer's code is valid (short timeout on both sides)",
        body: {
          type: 'object',
          properties: {
            code: { type: 'string', minLength: 1, maxLength: 4296 },
            venueId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{0,64}$' },
            deviceId: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
            at: { ...s.unixMs, description: 'Scan time (device clock), Unix ms' },
          },
          required: ['code', 'venueId', 'deviceId', 'at'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { valid: { type: 'boolean' }, cardToken: { type: 'string' } },
            required: ['valid'],
          },
          ...errors,
        },
      },
    },
    async (req) =>
      qr.onlineCheck({
        code: req.body.code,
        venueId: req.body.venueId,
        deviceId: req.body.deviceId,
        atMs: req.body.at,
      }),
  );
};
