// The ridership/revenue page's data: a month of one bus company, and the last 24 hours.
import { check } from 'k6';
import http from 'k6/http';
import { BASE, env, headers, limits, steady } from './common.js';

export const options = {
  scenarios: { steady: steady(4) },
  thresholds: limits({
    http_req_failed: ['rate<0.01'],
    'http_req_duration{kind:month}': ['p(95)<500'],
    'http_req_duration{kind:day}': ['p(95)<250'],
  }),
};

export default function () {
  const h = headers('busco');
  check(http.get(`${BASE}/v1/stats?from=${env.monthFrom}&to=${env.now}`, { ...h, tags: { kind: 'month' } }), {
    'month 200': (r) => r.status === 200 && r.json('totals.rides') > 0,
  });
  check(http.get(`${BASE}/v1/stats`, { ...h, tags: { kind: 'day' } }), {
    'day 200': (r) => r.status === 200,
  });
}
