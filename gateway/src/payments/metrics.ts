// Paid top-up and notification counters, registered on the instance's registry (metrics.ts).
import { Counter, type Registry } from 'prom-client';

export interface PaymentCounters {
  /** Top-up orders asked for, by outcome: created, duplicate, or the refusal code. */
  orders: Counter<'outcome'>;
  /** Provider notifications, by outcome: credited, duplicate, or the refusal code. */
  notifications: Counter<'outcome'>;
  /** Counter (card service) top-ups, by outcome: applied, duplicate, or the refusal code. */
  counterTopUps: Counter<'outcome'>;
}

export function registerPaymentMetrics(registry: Registry): PaymentCounters {
  return {
    orders: new Counter({
      name: 'onecard_topup_orders_total',
      help: 'Paid top-up orders asked for by holders, by outcome (created, duplicate, refusal code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'onecard_payment_notifications_total',
      help: 'Payment provider notifications, by outcome (credited, duplicate, refusal code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    counterTopUps: new Counter({
      name: 'onecard_counter_topups_total',
      help: 'Counter top-ups by card service staff, by outcome (applied, duplicate, refusal code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
