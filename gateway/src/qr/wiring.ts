// Builds the QR service from the gateway configuration (key list already checked by the schema).
import type { Registry } from 'prom-client';
import type { GatewayConfig } from '../config.js';
import { HttpOutsideIssuer } from '../issuers/http.js';
import { registerQrMetrics } from './metrics.js';
import { QrService } from './service.js';

export function qrServiceFrom(
  config: Pick<
    GatewayConfig,
    'qrSigningKeys' | 'qrCredentialTtlSec' | 'qrOutsideIssuerUrl' | 'qrOutsideTimeoutMs'
  >,
  tokenOf: (cardNumber: string) => string,
  now: () => number,
  registry?: Registry,
): QrService {
  return new QrService({
    signingKeys: config.qrSigningKeys,
    credentialTtlSec: config.qrCredentialTtlSec,
    ...(config.qrOutsideIssuerUrl ? { outside: new HttpOutsideIssuer(config.qrOutsideIssuerUrl) } : {}),
    outsideTimeoutMs: config.qrOutsideTimeoutMs,
    tokenOf,
    now,
    ...(registry ? { counters: registerQrMetrics(registry) } : {}),
  });
}
