// What the HTTP routes are given: the gateway's services, built once by app.ts (or a test's
// harness) and passed to every route plugin. Routes import this module, never server.ts, which
// imports them (issue 12: no import cycle between the server and its routes).
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { AuthContext } from '../auth/guard.js';
import type { Owners } from '../auth/policy.js';
import type { CardService } from '../cards/service.js';
import type { Fleet } from '../fleet.js';
import type { DeviceRegistry } from '../ingest/devices.js';
import type { DenyListPublisher } from '../lists/deny.js';
import type { ListService } from '../lists/service.js';
import type { LiveFeed } from '../live/feed.js';
import type { Metrics } from '../metrics.js';
import type { PaymentService } from '../payments/service.js';
import type { QrService } from '../qr/service.js';
import type { HistoryStore, Store } from '../store/port.js';
import type { TariffSummary } from '../tariff/load.js';
import type { VenuePassages } from '../venues/passages.js';
import type { VenueService } from '../venues/service.js';

export interface Services {
  store: Store;
  /**
   * Where the operator and holder record queries, the CSV export and the ride statistics read:
   * the store itself, or PostgreSQL when ONECARD_HISTORY=postgres (docs/decisions/0190). The
   * tap path reads the store, never this: PostgreSQL trails it by the consumer's lag.
   */
  history: HistoryStore;
  /** With the PostgreSQL history: how far it reaches (PgHistoryStore.recordsUpTo). */
  historyUpTo?: () => Promise<number | undefined>;
  cards: CardService;
  deny: DenyListPublisher;
  lists: ListService;
  fleet: Fleet;
  devices: DeviceRegistry;
  metrics: Metrics;
  /** E-card QR issuing and online checks (routes/qr.ts); absent: those routes are not served. */
  qr?: QrService;
  /** The tariff pricing the taps (gateway/src/tariff/load.ts). */
  tariff: TariffSummary;
  auth: AuthContext;
  /** Who owns which venue, route and station, for the tenancy rules (auth/owners.ts, 0154). */
  owners: Owners;
  live: LiveFeed;
  /** Paid top-ups, provider notifications, counter top-up limits (routes/payments.ts). */
  payments: PaymentService;
  /** Venue products, bookings and occupancy (routes/venues.ts); absent: not served. */
  venues?: { service: VenueService; passages: VenuePassages };
  /** Called after a device secret is issued or a device retired (the broker's password file follows at once). */
  onDeviceCredentials?: () => void;
  /** Readiness: store reachable and MQTT connected. */
  ready: () => Promise<{ ready: boolean; checks: Record<string, boolean> }>;
}

/** The type of a value a schema (`as const`) accepts: for helpers that share a route's query. */
export type SchemaType<S> = (JsonSchemaToTsProvider & { schema: S })['validator'];

/**
 * Request types from the routes' `as const` schemas (params, querystring, body, headers) via
 * @fastify/type-provider-json-schema-to-ts, so no request type is written twice (issue 12).
 * Replies stay unchecked against the response schemas: those are allow-lists that fastify
 * serialises domain objects through, not the domain types (docs/decisions/0182).
 */
export interface RequestTypesFromSchemas extends FastifyTypeProvider {
  validator: SchemaType<this['schema']>;
  serializer: unknown;
}

/** A route plugin: given the services, its handlers take their request types from their schemas. */
export type RoutePlugin = FastifyPluginAsync<
  { services: Services },
  RawServerDefault,
  RequestTypesFromSchemas
>;
