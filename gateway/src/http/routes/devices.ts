// Device registry (which devices may send taps) and live fleet health.
import { newDeviceKeyPair } from '../../../../core/device-keys.js';
import { type ProfileName, profiles } from '../../../../core/profiles.js';
import { mayRegisterDevice, scopeOperator } from '../../auth/policy.js';
import { enforce } from '../../auth/tenancy.js';
import { hashSecret, newDeviceSecret } from '../../broker/passwd.js';
import type { Device } from '../../store/port.js';
import * as s from '../schemas.js';
import type { RoutePlugin, Services } from '../services.js';

const id = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } as const;
const loc = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{0,64}$', default: '' } as const;
const routes = {
  type: 'array',
  description:
    'More routes the device may report besides routeId (a bus validator changing routes in its network); ' +
    'taps at any other place are refused (docs/decisions/0161). Default: routeId only',
  items: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
  maxItems: 64,
  uniqueItems: true,
} as const;

const publicKey = {
  type: 'string',
  pattern: '^[0-9a-f]{64}$',
  description:
    'The device’s Ed25519 public key, 64 hex chars: its TapBatches are signed with it (docs/topics.md)',
} as const;

const device = {
  type: 'object',
  properties: {
    deviceId: id,
    publicKey,
    operatorId: id,
    profile: { type: 'string', enum: Object.keys(profiles) },
    routeId: loc,
    routes,
    stationId: loc,
    venueId: loc,
    online: { type: 'boolean' },
    lastSeenAt: { type: 'integer' },
    denyListVersion: { type: 'integer' },
    listsRefused: { type: 'integer', description: 'List messages the device refused since it started' },
    acksRefused: {
      type: 'integer',
      description: 'Batch acks the device ignored since it started (bad signature, not its own, wrong range)',
    },
    lists: {
      type: 'array',
      description: 'Versions of the lists the device decides with',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          scope: { type: 'string' },
          version: { type: 'integer' },
          entries: { type: 'integer' },
        },
      },
    },
    journalDepth: { type: 'integer' },
    lastAckedSeq: { type: 'integer' },
    clockSkewMs: { type: 'integer' },
    softwareVersion: { type: 'string' },
    listLag: { type: 'integer', description: 'Deny-list versions the device is behind the gateway' },
    behind: { type: 'boolean', description: 'Offline, silent, lagging its list or its uploads' },
  },
} as const;

/** The answer that carries a new secret: the only time it is ever shown (decision 0170). */
export const issued = {
  mqttUsername: { type: 'string', description: 'The MQTT username (the device id); new secret only' },
  secret: {
    type: 'string',
    description: 'The MQTT password; shown once (the gateway keeps a hash only); new secret only',
  },
  credential: {
    type: 'string',
    description: 'Send as "Authorization: Device <credential>" (<deviceId>.<secret>); new secret only',
  },
} as const;

/** Issues (or replaces) a device's secret; the store keeps its hash, the broker follows. */
export async function issueSecret(
  services: Services,
  deviceId: string,
): Promise<{ mqttUsername: string; secret: string; credential: string }> {
  const secret = newDeviceSecret();
  await services.store.credentials.setSecret(deviceId, hashSecret(secret));
  services.onDeviceCredentials?.();
  return { mqttUsername: deviceId, secret, credential: `${deviceId}.${secret}` };
}

/** A device is behind when the console should draw the eye to it. */
const SILENT_MS = 60_000;
const BACKLOG = 100;
const SKEW_MS = 5_000;

export const deviceRoutes: RoutePlugin = async (app, { services }) => {
  app.post(
    '/v1/devices',
    {
      // The public key is 64 hex characters (its schema says so): a run of its digits reads as an
      // ID or card number by chance (26 of 200,000 random keys did), and the personal-data check
      // refused such a device's enrolment. It carries no free text.
      config: { permission: 'devices:write', audit: 'device.register', opaqueFields: ['body.publicKey'] },
      schema: {
        tags: ['devices'],
        summary:
          'Register or update a device (only registered devices may send taps). A new device gets its secret (MQTT password, HTTP credential), shown in this answer only; an update keeps it',
        body: {
          type: 'object',
          properties: {
            deviceId: id,
            operatorId: id,
            profile: device.properties.profile,
            routeId: loc,
            routes,
            stationId: loc,
            venueId: loc,
            publicKey: {
              ...publicKey,
              description:
                'The device’s own Ed25519 public key (its private key stays on the device). Omitted: the ' +
                'registered key is kept, or for a device without one a pair is made and the private key answered once',
            },
          },
          required: ['deviceId', 'operatorId', 'profile'],
          additionalProperties: false,
        },
        response: {
          201: {
            ...device,
            properties: {
              ...device.properties,
              ...issued,
              privateKey: {
                type: 'string',
                description:
                  'Only when the gateway made the key pair: the Ed25519 private key (64 hex chars) for the ' +
                  'device’s ONECARD_EDGE_DEVICE_KEY. Shown this once, never stored',
              },
            },
          },
          ...s.errors,
        },
      },
    },
    async (req, reply) => {
      const profile = profiles[req.body.profile as ProfileName];
      const missing = profile.requires.filter((f) => !req.body[f]);
      if (missing.length > 0)
        throw Object.assign(new Error(`${missing.join(', ')} required for the ${req.body.profile} profile`), {
          statusCode: 400,
          code: 'BAD_REQUEST',
        });
      // Only a device that stands on a route changes routes; anywhere else the list would let a
      // gate report a route and be priced on its network.
      if (req.body.routes && req.body.routes.length > 0 && !profile.requires.includes('routeId'))
        throw Object.assign(new Error(`routes are for route devices, not the ${req.body.profile} profile`), {
          statusCode: 400,
          code: 'BAD_REQUEST',
        });
      // The routes of its operator's network, or of a network that names no operator (as the
      // tenancy rules, 0154): never another operator's, whoever registers it (0161).
      const foreign = (req.body.routes ?? []).filter((r) => {
        const ops = services.owners.place(r, '');
        return ops !== undefined && !ops.includes(req.body.operatorId);
      });
      if (foreign.length > 0)
        throw Object.assign(new Error(`routes ${foreign.join(', ')} are on another operator's network`), {
          statusCode: 400,
          code: 'BAD_REQUEST',
        });
      req.auditTarget = req.body.deviceId;
      const existing = await services.store.getDevice(req.body.deviceId);
      enforce(
        req,
        services.metrics.tenantRefusals,
        mayRegisterDevice(req.principal!, req.body, existing?.operatorId, services.owners),
      );
      // The gateway keeps only public keys (0173): a pair it makes is answered once and forgotten.
      const made = req.body.publicKey || existing?.publicKey ? undefined : newDeviceKeyPair();
      const registered: Device = {
        ...req.body,
        publicKey: req.body.publicKey ?? existing?.publicKey ?? made!.publicKey,
      };
      await services.store.upsertDevice(registered);
      services.devices.forget(req.body.deviceId);
      // A device keeps its secret across updates; one enrolled before secrets existed gets one.
      const hasSecret = existing && (await services.store.credentials.secretOf(req.body.deviceId));
      const secret = hasSecret ? {} : await issueSecret(services, req.body.deviceId);
      return reply
        .status(201)
        .send({ ...registered, ...secret, ...(made ? { privateKey: made.privateKey } : {}) });
    },
  );
  app.get(
    '/v1/devices',
    {
      config: { permission: 'devices:read' },
      schema: {
        tags: ['devices'],
        summary: 'Registered devices with their live health; the ones behind first',
        querystring: { type: 'object', properties: { operator: id }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: device }, denyListVersion: { type: 'integer' } },
          },
          ...s.errors,
        },
      },
    },
    async (req) => {
      const scope = scopeOperator(req.principal!, req.query.operator);
      enforce(req, services.metrics.tenantRefusals, scope);
      const version = await services.deny.version();
      const now = services.auth.now();
      const items = (await services.store.listDevices())
        .filter((d) => scope.operatorId === undefined || d.operatorId === scope.operatorId)
        .map((d) => {
          const h = services.fleet.get(d.deviceId);
          const listLag = h ? Math.max(0, version - h.denyListVersion) : version;
          const behind =
            h === undefined ||
            !h.online ||
            now - h.lastSeenAt > SILENT_MS ||
            listLag > 0 ||
            h.journalDepth > BACKLOG ||
            Math.abs(h.clockSkewMs) > SKEW_MS;
          return { ...h, ...d, online: h?.online ?? false, listLag, behind };
        })
        .sort((a, b) => Number(b.behind) - Number(a.behind) || a.deviceId.localeCompare(b.deviceId));
      return { items, denyListVersion: version };
    },
  );
};
