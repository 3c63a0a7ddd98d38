// The payment and top-up limit keys of the gateway configuration (config.ts spreads them into
// its one schema, so they reach the README table like every other key). docs/decisions/0150.
import type { ConfigOf, ConfigSchema } from '../../../core/config/schema.js';

export const paymentConfigKeys = {
  paymentProviderUrl: {
    env: 'ONECARD_PAYMENT_PROVIDER_URL',
    kind: 'string',
    default: '',
    description:
      'Payment provider base URL (scripts/payment-simulator.ts locally); empty: no paid top-ups for holders',
    pattern: /^(https?:\/\/.+)?$/,
  },
  paymentProviderPublicKeyHex: {
    env: 'ONECARD_PAYMENT_PROVIDER_PUBLIC_KEY',
    kind: 'string',
    default: '',
    description:
      "The payment provider's Ed25519 public key, 64 hex chars: payment notifications must verify with it",
    pattern: /^([0-9a-fA-F]{64})?$/,
  },
  paymentNotifyUrl: {
    env: 'ONECARD_PAYMENT_NOTIFY_URL',
    kind: 'string',
    default: '',
    description: "URL the provider sends payment notifications to; empty: this gateway's /v1/payments/notify",
    pattern: /^(https?:\/\/.+)?$/,
  },
  paymentOrderTtlSec: {
    env: 'ONECARD_PAYMENT_ORDER_TTL_SEC',
    kind: 'int',
    default: '900',
    min: 60,
    max: 86_400,
    description: 'A top-up order not paid within this many seconds expires and is never credited',
  },
  paymentOrderRetentionDays: {
    env: 'ONECARD_PAYMENT_ORDER_RETENTION_DAYS',
    kind: 'int',
    default: '180',
    min: 1,
    max: 3_650,
    description: 'Top-up orders are kept this many days, then pruned (the top-up records stay)',
  },
  paymentNotifyMaxAgeSec: {
    env: 'ONECARD_PAYMENT_NOTIFY_MAX_AGE_SEC',
    kind: 'int',
    default: '300',
    min: 10,
    max: 3_600,
    description: 'A payment notification signed further than this from our clock, seconds, is refused',
  },
  topupMaxSingleFen: {
    env: 'ONECARD_TOPUP_MAX_SINGLE_FEN',
    kind: 'int',
    default: '100000',
    min: 1,
    max: 100_000_00,
    description: 'Largest single paid top-up, fen (TOPUP_LIMIT_SINGLE)',
  },
  topupMaxDailyFen: {
    env: 'ONECARD_TOPUP_MAX_DAILY_FEN',
    kind: 'int',
    default: '200000',
    min: 1,
    max: 100_000_000,
    description: 'Largest sum of paid top-ups per card and China-time day, fen (TOPUP_LIMIT_DAILY)',
  },
  topupMaxBalanceFen: {
    env: 'ONECARD_TOPUP_MAX_BALANCE_FEN',
    kind: 'int',
    default: '500000',
    min: 1,
    max: 100_000_000,
    description: 'Largest balance a paid top-up may leave on a card, fen (TOPUP_LIMIT_BALANCE)',
  },
  counterTopupDailyFen: {
    env: 'ONECARD_COUNTER_TOPUP_DAILY_FEN',
    kind: 'int',
    default: '5000000',
    min: 1,
    max: 1_000_000_000,
    description:
      'Largest sum of counter top-ups per operator account and China-time day, fen (TOPUP_LIMIT_OPERATOR_DAILY)',
  },
} as const satisfies ConfigSchema;

/** Provider and limits, as the payment side (wiring.ts) takes them from the gateway config. */
export type PaymentConfig = ConfigOf<typeof paymentConfigKeys>;

/** Problems across keys: a provider without the key to verify its notifications is useless. */
export function paymentConfigProblems(c: PaymentConfig): string[] {
  if (c.paymentProviderUrl !== '' && c.paymentProviderPublicKeyHex === '')
    return [
      `${paymentConfigKeys.paymentProviderPublicKeyHex.env}: required when ${paymentConfigKeys.paymentProviderUrl.env} is set`,
    ];
  return [];
}
