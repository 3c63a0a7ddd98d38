// A holder tops up through the payment provider (docs/decisions/0150): the e-card app's backend
// mints a holder token, the app makes a top-up order, "pays" it at the provider (the local
// simulator serve.ts starts), and the card is credited when the provider's signed notification
// reaches the gateway. The script waits (bounded) for the order to read `credited`.
import { check, sleep } from 'k6';
import http from 'k6/http';
import { BASE, env, holderToken, limits, pick, shape } from './common.js';

export const options = {
  ...shape,
  thresholds: limits({
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    // An order is a provider round trip (its "unified order") plus an atomic store write.
    'http_req_duration{kind:order}': ['p(95)<400'],
    'http_req_duration{kind:pay}': ['p(95)<200'],
  }),
};

const json = { 'content-type': 'application/json' };

export default function () {
  const holder = { authorization: `Bearer ${holderToken(pick(env.cardNumbers))}`, ...json };
  const requestId = `k6-${__VU}-${__ITER}-${Date.now()}`;
  const order = http.post(`${BASE}/v1/holder/topup-orders`, JSON.stringify({ amountFen: 100, requestId }), {
    headers: holder,
    tags: { kind: 'order' },
  });
  check(order, { 'order 201, created': (r) => r.status === 201 && r.json('status') === 'created' });
  const orderId = order.json('orderId');
  const paid = http.post(
    `${env.paymentProviderUrl}/v1/pay`,
    JSON.stringify({ payReference: order.json('payReference') }),
    { headers: json, tags: { kind: 'pay' } },
  );
  check(paid, { 'paid at the provider': (r) => r.status === 200 });
  // The notification goes provider → gateway on its own; the app polls its order, bounded.
  let status = '';
  for (let i = 0; i < 100 && status !== 'credited'; i++) {
    const r = http.get(`${BASE}/v1/holder/topup-orders/${orderId}`, {
      headers: holder,
      tags: { kind: 'poll' },
    });
    status = r.json('status');
    if (status !== 'credited') sleep(0.02);
  }
  check(status, { 'credited after the signed notification': (s) => s === 'credited' });
}
