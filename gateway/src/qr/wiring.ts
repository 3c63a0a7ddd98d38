// Builds the QR service from the gateway configuration (key list already checked by the schema).
import type { Registry } from 'prom-client';
import type { CardService } from '../cards/service.js';
import type { GatewayConfig } from '../config.js';
import { HttpOutsideIssuer } from '../issuers/http.js';
import { registerQrMetrics } from './metrics.js';
import { QrService } from './service.js';

export function qrServiceFrom(
  config: Pick<
    GatewayConfig,
    'qrSigningKeys' | 'qrCredentialTtlSec' | 'qrOutsideIssuerUrl' | 'qrOutsideTimeoutMs'
  >,
  /** The card service: card numbers to tokens, and the concessions a card may hold. */
  cards: Pick<CardService, 'tokenOf' | 'concessions'>,
  now: () => number,
  registry?: Registry,
): QrService {
  return new QrService({
    signingKeys: config.qrSigningKeys,
    credentialTtlSec: config.qrCredentialTtlSec,
    ...(config.qrOutsideIssuerUrl ? { outside: new HttpOutsideIssuer(config.qrOutsideIssuerUrl) } : {}),
    outsideTimeoutMs: config.qrOutsideTimeoutMs,
    tokenOf: (cardNumber) => cards.tokenOf(cardNumber),
    concessions: cards.concessions,
    now,
    ...(registry ? { counters: registerQrMetrics(registry) } : {}),
  });
}
