// Record search as a bus company's staff use it: the newest page of their rides, one card,
// one line over a day, the next page by cursor.
import { check } from 'k6';
import http from 'k6/http';
import { BASE, env, headers, limits, pick, shape } from './common.js';

export const options = {
  ...shape,
  thresholds: limits({
    http_req_failed: ['rate<0.01'],
    'http_req_duration{kind:first}': ['p(95)<200'],
    'http_req_duration{kind:card}': ['p(95)<200'],
    'http_req_duration{kind:line_day}': ['p(95)<200'],
    'http_req_duration{kind:next}': ['p(95)<200'],
  }),
};

export default function () {
  const h = headers('busco');
  const first = http.get(`${BASE}/v1/records?limit=50`, { ...h, tags: { kind: 'first' } });
  check(first, { 'first page 200': (r) => r.status === 200 });
  const card = http.get(`${BASE}/v1/records?card=${pick(env.cardTokens)}&limit=50`, {
    ...h,
    tags: { kind: 'card' },
  });
  check(card, { 'card 200': (r) => r.status === 200 });
  const from = env.now - Math.floor(Math.random() * 29 + 1) * 86_400_000;
  const day = http.get(
    `${BASE}/v1/records?route=${pick(env.lines)}&from=${from}&to=${from + 86_400_000}&limit=50`,
    {
      ...h,
      tags: { kind: 'line_day' },
    },
  );
  check(day, { 'line/day 200': (r) => r.status === 200 });
  const cursor = first.json('nextCursor');
  if (cursor) {
    const next = http.get(`${BASE}/v1/records?limit=50&cursor=${encodeURIComponent(cursor)}`, {
      ...h,
      tags: { kind: 'next' },
    });
    check(next, { 'next page 200': (r) => r.status === 200 });
  }
}
