// The outside-issuer port: codes the gateway did not sign and cannot check itself (the national
// e-card platform's own QR codes, 国家社会保险公共服务平台/电子社保卡) are checked online by
// their issuer. One adapter per issuer implements this; http.ts speaks the JSON contract below.
//
// Contract of every adapter:
// - check() resolves with the issuer's answer: valid or not, and for a valid code the holder's
//   card number when the issuer discloses it (the gateway turns it into the keyed token at once
//   and drops it; it is never logged or stored).
// - check() rejects (OutsideIssuerUnavailable) when the issuer could not answer: transport
//   error, timeout (the signal aborts), a 5xx or an unreadable answer. "Could not answer" is
//   never "valid": the device falls back to its venue's offline policy.
// - check() must honour the AbortSignal promptly: devices wait on it at the gate.
//
// HTTP contract (http.ts): POST {baseUrl}/v1/codes/check with JSON
//   { "code": string, "venueId": string, "at": Unix ms }
// answered 200 with { "valid": boolean, "cardNumber"?: string }.

export interface OutsideCheck {
  /** The code text exactly as scanned. */
  code: string;
  venueId: string;
  deviceId: string;
  /** When the device scanned it, Unix ms. */
  atMs: number;
}

export type OutsideAnswer = { valid: true; cardNumber?: string } | { valid: false };

export interface OutsideIssuer {
  check(req: OutsideCheck, signal: AbortSignal): Promise<OutsideAnswer>;
}

export class OutsideIssuerUnavailable extends Error {
  readonly code = 'ISSUER_UNAVAILABLE';
  readonly statusCode = 504;
}
