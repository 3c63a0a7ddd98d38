// Venue reservations (实名预约) sold through the e-card app: a signed reservation for a card,
// a day and a one-hour slot.
import { check } from 'k6';
import http from 'k6/http';
import { BASE, env, headers, limits, pick, shape } from './common.js';

export const options = {
  ...shape,
  thresholds: limits({ http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<150'] }),
};

export default function () {
  const day = new Date(env.now + (1 + Math.floor(Math.random() * 30)) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const start = 540 + 60 * Math.floor(Math.random() * 8);
  const r = http.post(
    `${BASE}/v1/tickets`,
    JSON.stringify({
      kind: 'reservation',
      venueId: env.venue,
      date: day,
      slotStartMin: start,
      slotEndMin: start + 60,
      cardNumber: pick(env.cardNumbers),
    }),
    headers('ecard', true),
  );
  check(r, { 'reservation 200': (res) => res.status === 200 && res.json('code').startsWith('OC:') });
}
