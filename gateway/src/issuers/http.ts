// Outside-issuer adapter over HTTP/JSON (contract in port.ts).
import {
  type OutsideAnswer,
  type OutsideCheck,
  type OutsideIssuer,
  OutsideIssuerUnavailable,
} from './port.js';

const CARD_NUMBER = /^[A-Za-z0-9]{6,32}$/;

export class HttpOutsideIssuer implements OutsideIssuer {
  constructor(private readonly baseUrl: string) {}

  async check(req: OutsideCheck, signal: AbortSignal): Promise<OutsideAnswer> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/v1/codes/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: req.code, venueId: req.venueId, at: req.atMs }),
        signal,
      });
    } catch (err) {
      throw new OutsideIssuerUnavailable(`issuer unreachable: ${(err as Error).name}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new OutsideIssuerUnavailable(`issuer answered HTTP ${res.status}`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new OutsideIssuerUnavailable(`issuer answer unreadable: ${(err as Error).name}`);
    }
    const b = body as { valid?: unknown; cardNumber?: unknown };
    if (typeof b?.valid !== 'boolean') throw new OutsideIssuerUnavailable('issuer answer has no "valid"');
    if (!b.valid) return { valid: false };
    return typeof b.cardNumber === 'string' && CARD_NUMBER.test(b.cardNumber)
      ? { valid: true, cardNumber: b.cardNumber }
      : { valid: true };
  }
}
