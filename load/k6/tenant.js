// A bus company's own staff: an account bound to one operator (transit_operator, tenant busco)
// logs in, then reads its records, its figures and its devices. Every read is narrowed to its
// operator, and asking for another operator's data answers 403 FORBIDDEN_TENANT (docs/decisions/0154), not a narrowed or
// empty page (scopeOperator in gateway/src/auth/policy.ts, docs/decisions/0130).
import { check } from 'k6';
import http from 'k6/http';
import { BASE, env, limits, pick, shape } from './common.js';

export const options = {
  ...shape,
  thresholds: limits({
    // The 403s are expected answers (responseCallback below), so every failure here is real.
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{kind:records}': ['p(95)<200'],
    'http_req_duration{kind:stats}': ['p(95)<500'],
    'http_req_duration{kind:devices}': ['p(95)<200'],
    'http_req_duration{kind:refused}': ['p(95)<200'],
  }),
};

const refused = http.expectedStatuses(403);

export function setup() {
  const r = http.post(`${BASE}/v1/auth/login`, JSON.stringify({ ...env.tenantLogin, bearer: true }), {
    headers: { 'content-type': 'application/json' },
    tags: { kind: 'login' },
  });
  check(r, {
    'login 200, bound to its operator': (res) =>
      res.status === 200 && res.json('role') === 'transit_operator' && res.json('tenant') === env.operator,
  });
  return { authorization: `Bearer ${r.json('token')}` };
}

const own = (items) => items.length > 0 && items.every((i) => i.operatorId === env.operator);
const forbidden = (r) => r.status === 403 && r.json('code') === 'FORBIDDEN_TENANT';

export default function (data) {
  const h = { headers: { authorization: data.authorization } };
  // The other company runs lines with the same numbers: a route search must still stay inside.
  const route = pick(env.lines.slice(0, 4));
  check(http.get(`${BASE}/v1/records?route=${route}&limit=50`, { ...h, tags: { kind: 'records' } }), {
    'records 200, its operator only': (r) => r.status === 200 && own(r.json('items')),
  });
  check(
    http.get(`${BASE}/v1/records?operator=${env.operator}&limit=50`, { ...h, tags: { kind: 'records' } }),
    { 'records naming its own operator 200': (r) => r.status === 200 && own(r.json('items')) },
  );
  check(http.get(`${BASE}/v1/stats?from=${env.monthFrom}&to=${env.now}`, { ...h, tags: { kind: 'stats' } }), {
    'stats 200': (r) => r.status === 200 && r.json('totals.rides') > 0,
  });
  check(http.get(`${BASE}/v1/devices`, { ...h, tags: { kind: 'devices' } }), {
    'devices 200, its own only': (r) => r.status === 200 && own(r.json('items')),
  });
  const other = { ...h, tags: { kind: 'refused' }, responseCallback: refused };
  check(http.get(`${BASE}/v1/records?operator=${env.otherOperator}&limit=50`, other), {
    "another operator's records 403": forbidden,
  });
  check(http.get(`${BASE}/v1/stats?operator=${env.otherOperator}`, other), {
    "another operator's stats 403": forbidden,
  });
  check(http.get(`${BASE}/v1/devices?operator=${env.otherOperator}`, other), {
    "another operator's devices 403": forbidden,
  });
}
