// Who may call which route: the specification the route table test (route-table.int.test.ts)
// checks against the real app, every registered route, every kind of caller
// (docs/decisions/0130 roles, 0154 tenancy). A route with no row fails the test: adding a route
// means adding its row here and its request below.
//
// Tenants: operator A (op-a, venue venue-a, device dev-a) and operator B (op-b, venue-b, dev-b).
// Every request aims at B's data, so a caller bound to A shows the cross-tenant refusal and the
// callers of B (venue_operator B, device B) show that B itself is let in.
//
// Columns (the callers):
//   adm   admin (unbound)             aud   auditor (unbound)        audA  auditor bound to A
//   card  card_service                trA   transit_operator A       vnA   venue_operator A
//   vnB   venue_operator B            app   ecard_app                hold  a holder token
//   devA  device credential of dev-a  devB  device credential of dev-b anon no credentials
// Cells:
//   ok    allowed and done (2xx)
//   dom   allowed, and the domain answered no (a 4xx other than 401/403: 404, 409, 422...)
//   401   refused: no or wrong credentials for this route (UNAUTHENTICATED)
//   403   refused: the role or the credential may not (FORBIDDEN)
//   ten   refused: another tenant's data (403 FORBIDDEN_TENANT)
import { localDay } from '../../../core/time.js';
import { dateOf } from '../../../gateway/src/http/routes/venue-schemas.js';
import { PASSWORD } from './harness.js';

export const table = `
route                                                      | adm aud audA card trA vnA vnB app hold devA devB anon
GET  /healthz                                              | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /readyz                                               | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /metrics                                              | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /openapi.json                                         | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /                                                     | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /console/:file                                        | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /v1/reasons                                           | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /v1/tariff                                            | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
POST /v1/auth/login                                        | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /v1/auth/me                                           | ok  ok  ok   ok   ok  ok  ok  ok  401  401  401  401
GET  /v1/venues                                            | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /v1/venues/:venueId/availability                      | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
GET  /v1/qr/keys                                           | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
POST /v1/holder/qr-credential                              | 401 401 401  401  401 401 401 401 ok   401  401  401
POST /v1/tickets                                           | ok  403 403  403  403 ten ok  ok  401  401  401  401
POST /v1/qr/online-check                                   | 401 401 401  401  401 401 401 401 401  403  ok   401
POST /v1/qr/online-check [in its own name, B's venue]      | 401 401 401  401  401 401 401 401 401  ten  403  401
POST /v1/cards                                             | ok  403 403  ok   403 403 403 403 401  401  401  401
POST /v1/cards/lookup                                      | ok  ok  ten  ok   403 403 403 403 401  401  401  401
GET  /v1/cards/:token                                      | ok  ok  ten  ok   403 403 403 403 401  401  401  401
GET  /v1/cards/:token/records                              | ok  ok  ok   ok   403 403 403 403 401  401  401  401
POST /v1/cards/:token/topups                               | ok  403 403  ok   403 403 403 403 401  401  401  401
POST /v1/cards/:token/lost                                 | ok  403 403  ok   403 403 403 403 401  401  401  401
POST /v1/cards/:token/found                                | ok  403 403  ok   403 403 403 403 401  401  401  401
GET  /v1/records                                           | ok  ok  ten  403  ten ten ok  403 401  401  401  401
GET  /v1/records.csv                                       | ok  ok  ten  403  ten ten ok  403 401  401  401  401
GET  /v1/records/up-to                                     | ok  ok  ok   403  ok  ok  ok  403 401  401  401  401
GET  /v1/reports/reconciliation                            | ok  ok  ok   403  ok  ok  ok  403 401  401  401  401
GET  /v1/stats                                             | ok  ok  ten  403  ten ten ok  403 401  401  401  401
GET  /v1/live                                              | ok  ok  ten  403  ten ten ok  403 401  401  401  401
GET  /v1/audit                                             | ok  ok  ten  403  403 403 403 403 401  401  401  401
GET  /v1/devices                                           | ok  ok  ten  403  ten ten ok  403 401  401  401  401
POST /v1/devices                                           | ok  403 403  403  ten ten ok  403 401  401  401  401
POST /v1/devices [own operator id at B's venue]            | ok  403 403  403  ten ten ten 403 401  401  401  401
POST /v1/devices/:id/credentials/rotate                    | ok  403 403  403  ten ten ok  403 401  401  401  401
DELETE /v1/devices/:id                                     | ok  403 403  403  dom dom dom 403 401  401  401  401
POST /v1/holder-tokens                                     | ok  403 403  403  403 403 403 ok  401  401  401  401
PUT  /v1/admin/lists/flags                                 | ok  403 403  ok   403 403 403 403 401  401  401  401
PUT  /v1/admin/lists/regions                               | ok  403 403  403  403 403 403 403 401  401  401  401
PUT  /v1/admin/lists/entitlements/:venueId                 | ok  403 403  403  403 403 403 403 401  401  401  401
GET  /v1/admin/lists                                       | ok  ok  ok   403  ok  ok  ok  403 401  401  401  401
GET  /v1/lists/deny                                        | ok  ok  ten  403  ten ten ten 403 401  ok   ok   401
GET  /v1/lists/:kind/:scope [flags]                        | ok  ok  ten  403  ten ten ten 403 401  ok   ok   401
GET  /v1/lists/:kind/:scope [regions]                      | ok  ok  ten  403  ten ten ten 403 401  ok   ok   401
GET  /v1/lists/:kind/:scope [B's entitlements]             | ok  ok  ten  403  ten ten ok  403 401  ten  ok   401
GET  /v1/venues/:venueId/gate-config                       | ok  ok  ten  403  ten ten ok  403 401  401  401  401
GET  /v1/venues/:venueId/bookings                          | ok  ok  ten  403  ten ten ok  403 401  401  401  401
GET  /v1/venues/:venueId/occupancy                         | ok  ok  ten  403  ten ten ok  403 401  401  401  401
GET  /v1/venues/:venueId/stats                             | ok  ok  ten  403  ten ten ok  403 401  401  401  401
POST /v1/venues/:venueId/walk-ins                          | ok  403 403  403  403 ten ok  ok  401  401  401  401
POST /v1/venues/:venueId/passages                          | ok  403 403  403  ten ten ok  403 401  401  401  401
POST /v1/venues/:venueId/no-shows                          | ok  403 403  403  403 ten ok  ok  401  401  401  401
GET  /v1/holder/card                                       | 401 401 401  401  401 401 401 401 ok   401  401  401
GET  /v1/holder/records                                    | 401 401 401  401  401 401 401 401 ok   401  401  401
GET  /v1/holder/rides                                      | 401 401 401  401  401 401 401 401 ok   401  401  401
GET  /v1/holder/visits                                     | 401 401 401  401  401 401 401 401 ok   401  401  401
GET  /v1/holder/topups                                     | 401 401 401  401  401 401 401 401 ok   401  401  401
POST /v1/holder/topups                                     | 401 401 401  401  401 401 401 401 dom  401  401  401
POST /v1/holder/topup-orders                               | 401 401 401  401  401 401 401 401 ok   401  401  401
GET  /v1/holder/topup-orders/:orderId                      | 401 401 401  401  401 401 401 401 dom  401  401  401
POST /v1/payments/notify                                   | dom dom dom  dom  dom dom dom dom dom  dom  dom  dom
POST /v1/payments/orders/:orderId/refund                   | dom 403 403  dom  403 403 403 403 401  401  401  401
POST /v1/holder/venues/:venueId/bookings                   | 401 401 401  401  401 401 401 401 ok   401  401  401
POST /v1/holder/venues/:venueId/bookings/:bookingId/cancel | 401 401 401  401  401 401 401 401 dom  401  401  401
GET  /v1/holder/venues/:venueId/my-bookings                | 401 401 401  401  401 401 401 401 ok   401  401  401
POST /v1/holder/lost                                       | 401 401 401  401  401 401 401 401 ok   401  401  401
POST /v1/auth/logout                                       | ok  ok  ok   ok   ok  ok  ok  ok  ok   ok   ok   ok
`;

/** The ids the requests use; B is the other tenant every request aims at. */
export const ids = {
  tenantA: 'op-a',
  tenantB: 'op-b',
  venueA: 'venue-a',
  venueB: 'venue-b',
  deviceA: 'dev-a',
  deviceB: 'dev-b',
  /** The holder's card (its holder token) and a card for the counter's routes. */
  holderCard: 'TENANT0001',
  counterCard: 'TENANT0002',
} as const;

export interface Call {
  method: string;
  url: string;
  body?: unknown;
}

/** The request each row sends; token(n) is the card token of card number n. */
export function requests(token: (cardNumber: string) => string, now: number): Record<string, Call> {
  const { tenantA, tenantB, venueB, deviceA, deviceB, holderCard, counterCard } = ids;
  const counter = token(counterCard);
  const tomorrow = dateOf(localDay(now) + 1);
  const yesterday = dateOf(localDay(now) - 1);
  const get = (url: string): Call => ({ method: 'GET', url });
  const post = (url: string, body: unknown = {}): Call => ({ method: 'POST', url, body });
  const put = (url: string, body: unknown): Call => ({ method: 'PUT', url, body });
  const device = (deviceId: string, operatorId: string) => ({
    deviceId,
    operatorId,
    profile: 'museum_gate',
    venueId: venueB,
  });
  const code = { code: 'OUTSIDE:1', deviceId: deviceB, venueId: venueB, at: now };
  return {
    'GET /healthz': get('/healthz'),
    'GET /readyz': get('/readyz'),
    'GET /metrics': get('/metrics'),
    'GET /openapi.json': get('/openapi.json'),
    'GET /': get('/'),
    'GET /console/:file': get('/console/app.js'),
    'GET /v1/reasons': get('/v1/reasons'),
    'GET /v1/tariff': get('/v1/tariff'),
    'POST /v1/auth/login': post('/v1/auth/login', { username: 'root', password: PASSWORD }),
    'GET /v1/auth/me': get('/v1/auth/me'),
    'GET /v1/venues': get('/v1/venues'),
    'GET /v1/venues/:venueId/availability': get(`/v1/venues/${venueB}/availability`),
    'GET /v1/qr/keys': get('/v1/qr/keys'),
    'POST /v1/holder/qr-credential': post('/v1/holder/qr-credential', {
      cardNumber: holderCard,
      appPublicKey: 'A'.repeat(43),
    }),
    'POST /v1/tickets': post('/v1/tickets', {
      kind: 'reservation',
      venueId: venueB,
      date: tomorrow,
      slotStartMin: 0,
      slotEndMin: 1440,
    }),
    'POST /v1/qr/online-check': post('/v1/qr/online-check', code),
    "POST /v1/qr/online-check [in its own name, B's venue]": post('/v1/qr/online-check', {
      ...code,
      deviceId: deviceA,
    }),
    'POST /v1/cards': post('/v1/cards', { cardNumber: counterCard, region: '110000' }),
    'POST /v1/cards/lookup': post('/v1/cards/lookup', { cardNumber: counterCard }),
    'GET /v1/cards/:token': get(`/v1/cards/${counter}`),
    'GET /v1/cards/:token/records': get(`/v1/cards/${counter}/records`),
    'POST /v1/cards/:token/topups': post(`/v1/cards/${counter}/topups`, {
      amountFen: 100,
      requestId: 'table-topup-1',
      reason: 'cash',
    }),
    'POST /v1/cards/:token/lost': post(`/v1/cards/${counter}/lost`),
    'POST /v1/cards/:token/found': post(`/v1/cards/${counter}/found`),
    'GET /v1/records': get(`/v1/records?operator=${tenantB}`),
    'GET /v1/records.csv': get(`/v1/records.csv?operator=${tenantB}`),
    'GET /v1/records/up-to': get('/v1/records/up-to'),
    'GET /v1/reports/reconciliation': get('/v1/reports/reconciliation'),
    'GET /v1/stats': get(`/v1/stats?operator=${tenantB}`),
    'GET /v1/live': get(`/v1/live?operator=${tenantB}`),
    'GET /v1/audit': get('/v1/audit'),
    'GET /v1/devices': get(`/v1/devices?operator=${tenantB}`),
    'POST /v1/devices': post('/v1/devices', device('dev-b2', tenantB)),
    "POST /v1/devices [own operator id at B's venue]": post('/v1/devices', device('dev-a2', tenantA)),
    'POST /v1/devices/:id/credentials/rotate': post('/v1/devices/dev-b2/credentials/rotate'),
    // The first caller retires it: the others find no such device (404); tenancy of managing a
    // device is the rotate row's (the same rule, auth/policy.ts mayManageDevice).
    'DELETE /v1/devices/:id': { method: 'DELETE', url: '/v1/devices/dev-b2' },
    'POST /v1/holder-tokens': post('/v1/holder-tokens', { cardNumber: counterCard }),
    'PUT /v1/admin/lists/flags': put('/v1/admin/lists/flags', { cards: [{ token: counter, flags: 1 }] }),
    'PUT /v1/admin/lists/regions': put('/v1/admin/lists/regions', {
      regions: [{ region: '500228', recognised: true }],
    }),
    'PUT /v1/admin/lists/entitlements/:venueId': put(`/v1/admin/lists/entitlements/${venueB}`, {
      remove: [{ token: counter, id: 'none' }],
    }),
    'GET /v1/admin/lists': get('/v1/admin/lists'),
    'GET /v1/lists/deny': get('/v1/lists/deny'),
    'GET /v1/lists/:kind/:scope [flags]': get('/v1/lists/flags/all'),
    'GET /v1/lists/:kind/:scope [regions]': get('/v1/lists/regions/all'),
    "GET /v1/lists/:kind/:scope [B's entitlements]": get(`/v1/lists/entitlements/${venueB}`),
    'GET /v1/venues/:venueId/gate-config': get(`/v1/venues/${venueB}/gate-config`),
    'GET /v1/venues/:venueId/bookings': get(`/v1/venues/${venueB}/bookings`),
    'GET /v1/venues/:venueId/occupancy': get(`/v1/venues/${venueB}/occupancy`),
    'GET /v1/venues/:venueId/stats': get(`/v1/venues/${venueB}/stats`),
    'POST /v1/venues/:venueId/walk-ins': post(`/v1/venues/${venueB}/walk-ins`, {
      cardNumbers: [counterCard],
      requestId: 'table-walk-in-1',
      productId: 'visit',
    }),
    'POST /v1/venues/:venueId/passages': post(`/v1/venues/${venueB}/passages`, {
      id: 'table-passage-1',
      at: now,
      direction: 'entry',
    }),
    'POST /v1/venues/:venueId/no-shows': post(`/v1/venues/${venueB}/no-shows`, { date: yesterday }),
    'GET /v1/holder/card': get('/v1/holder/card'),
    'GET /v1/holder/records': get('/v1/holder/records'),
    'GET /v1/holder/rides': get('/v1/holder/rides'),
    'GET /v1/holder/visits': get('/v1/holder/visits'),
    'GET /v1/holder/topups': get('/v1/holder/topups'),
    // Gone for good (410 PAYMENT_REQUIRED, docs/decisions/0151): the paid order flow replaced it.
    'POST /v1/holder/topups': post('/v1/holder/topups', { amountFen: 100, requestId: 'table-holder-1' }),
    'POST /v1/holder/topup-orders': post('/v1/holder/topup-orders', {
      amountFen: 100,
      requestId: 'table-order-1',
    }),
    'GET /v1/holder/topup-orders/:orderId': get(`/v1/holder/topup-orders/po_${'a'.repeat(20)}`),
    // Open at the HTTP level; a notification not signed by the provider is refused (400).
    'POST /v1/payments/notify': post('/v1/payments/notify', {
      orderId: `po_${'b'.repeat(20)}`,
      amountFen: 100,
      providerTxnId: 'table-txn-1',
      paidAt: now,
      timestamp: now,
      nonce: 'table-nonce-1',
      signature: 'A'.repeat(86),
    }),
    'POST /v1/payments/orders/:orderId/refund': post(`/v1/payments/orders/po_${'c'.repeat(20)}/refund`),
    'POST /v1/holder/venues/:venueId/bookings': post(`/v1/holder/venues/${venueB}/bookings`, {
      requestId: 'table-booking-1',
      productId: 'visit',
      date: tomorrow,
      slotStartMin: 0,
    }),
    'POST /v1/holder/venues/:venueId/bookings/:bookingId/cancel': post(
      `/v1/holder/venues/${venueB}/bookings/bk${'0'.repeat(22)}/cancel`,
    ),
    'GET /v1/holder/venues/:venueId/my-bookings': get(`/v1/holder/venues/${venueB}/my-bookings`),
    'POST /v1/holder/lost': post('/v1/holder/lost'),
    'POST /v1/auth/logout': post('/v1/auth/logout'),
  };
}
