// The payment port (docs/decisions/0150): what the gateway asks of a payment provider (WeChat
// Pay, Alipay, UnionPay, or the local simulator, simulator.ts). Only the order's registration
// goes out; the payment itself comes back as a signed notification (signature.ts) to
// POST /v1/payments/notify, never as an answer the gateway could be fooled into trusting.

export interface PrepareRequest {
  orderId: string;
  amountFen: number;
  /** The provider refuses payment after this (Unix ms): the order's expiresAt. */
  expiresAt: number;
  /** Where the provider POSTs the signed notification. */
  notifyUrl: string;
}

export interface PaymentProvider {
  /** Short name for records and metrics, e.g. 'simulator'. */
  readonly name: string;
  /** Registers an order with the provider (WeChat "unified order"); returns what the app pays with. */
  prepare(req: PrepareRequest): Promise<{ payReference: string }>;
}

/**
 * The provider over HTTP: POST <base>/v1/orders, the simulator's API (scripts/payment-simulator.ts).
 * A real provider gets an adapter of its own behind the same port (its API, its request signing).
 */
export class HttpPaymentProvider implements PaymentProvider {
  readonly name = 'simulator';

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 3_000,
  ) {}

  async prepare(req: PrepareRequest): Promise<{ payReference: string }> {
    const res = await fetch(`${this.baseUrl}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (res.status !== 200) throw new Error(`provider answered ${res.status}`);
    const body = (await res.json()) as { payReference?: unknown };
    if (typeof body.payReference !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(body.payReference))
      throw new Error('provider answered without a pay reference');
    return { payReference: body.payReference };
  }
}
