// Builds the payment side from the configuration (config-schema.ts): the provider adapter, the
// provider's public key, the limits and the counters.
import type { Registry } from 'prom-client';
import { publicKeyFromRaw } from '../../../core/credentials/keys.js';
import type { CardService } from '../cards/service.js';
import type { Store } from '../store/port.js';
import type { PaymentConfig } from './config-schema.js';
import { registerPaymentMetrics } from './metrics.js';
import { HttpPaymentProvider } from './port.js';
import { PaymentService } from './service.js';

export function paymentsFrom(
  config: PaymentConfig,
  deps: {
    store: Store;
    cards: CardService;
    registry: Registry;
    now: () => number;
    /** The gateway's own notify URL, known once it listens (used when the config names none). */
    ownNotifyUrl: () => string;
  },
): PaymentService {
  const provider = config.paymentProviderUrl ? new HttpPaymentProvider(config.paymentProviderUrl) : undefined;
  const providerPublicKey = config.paymentProviderPublicKeyHex
    ? publicKeyFromRaw(Buffer.from(config.paymentProviderPublicKeyHex, 'hex'))
    : undefined;
  if (config.paymentProviderPublicKeyHex && !providerPublicKey)
    throw new Error('ONECARD_PAYMENT_PROVIDER_PUBLIC_KEY is not an Ed25519 public key');
  return new PaymentService({
    store: deps.store,
    cards: deps.cards,
    provider,
    providerPublicKey,
    notifyUrl: () => config.paymentNotifyUrl || deps.ownNotifyUrl(),
    limits: {
      maxSingleFen: config.topupMaxSingleFen,
      maxDailyFen: config.topupMaxDailyFen,
      maxBalanceFen: config.topupMaxBalanceFen,
      maxOperatorDailyFen: config.counterTopupDailyFen,
    },
    orderTtlMs: config.paymentOrderTtlSec * 1000,
    retentionMs: config.paymentOrderRetentionDays * 24 * 3600 * 1000,
    notifyMaxAgeMs: config.paymentNotifyMaxAgeSec * 1000,
    counters: registerPaymentMetrics(deps.registry),
    now: deps.now,
  });
}
