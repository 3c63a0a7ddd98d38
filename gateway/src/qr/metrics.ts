// The QR side's Prometheus counters, registered on the instance's registry (metrics.ts).
import { Counter, type Registry } from 'prom-client';

export interface QrCounters {
  /** Credentials and tickets issued, by kind (credential, ticket, reservation). */
  issued: Counter<'kind'>;
  /** Online checks of outside codes, by result (valid, invalid, unavailable). */
  checks: Counter<'result'>;
}

export function registerQrMetrics(registry: Registry): QrCounters {
  return {
    issued: new Counter({
      name: 'onecard_qr_issued_total',
      help: 'E-card QR credentials, tickets and reservations issued',
      labelNames: ['kind'],
      registers: [registry],
    }),
    checks: new Counter({
      name: 'onecard_qr_online_checks_total',
      help: "Online checks of outside issuers' codes, by result",
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}
