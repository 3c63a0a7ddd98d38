// The online check of an outside issuer's code, through the gateway (POST /v1/qr/online-check,
// gateway/src/http/routes/qr.ts), bounded by a short timeout: a gate cannot wait long.
export type OnlineAnswer = { valid: boolean; cardToken?: string } | 'unavailable';

export type OnlineCheck = (code: string, atMs: number) => Promise<OnlineAnswer>;

const TOKEN = /^[0-9a-f]{32}$/;

export function gatewayOnlineCheck(opts: {
  gatewayHttpUrl: string;
  deviceId: string;
  venueId: string;
  timeoutMs: number;
  /** The device credential from registration (ONECARD_EDGE_GATEWAY_CREDENTIAL); '' sends none. */
  credential?: string;
  fetch?: typeof fetch;
}): OnlineCheck {
  const doFetch = opts.fetch ?? fetch;
  return async (code, atMs) => {
    try {
      const res = await doFetch(`${opts.gatewayHttpUrl}/v1/qr/online-check`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.credential ? { authorization: `Device ${opts.credential}` } : {}),
        },
        body: JSON.stringify({ code, venueId: opts.venueId, deviceId: opts.deviceId, at: atMs }),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        return 'unavailable';
      }
      const body = (await res.json()) as { valid?: unknown; cardToken?: unknown };
      if (typeof body.valid !== 'boolean') return 'unavailable';
      return typeof body.cardToken === 'string' && TOKEN.test(body.cardToken)
        ? { valid: body.valid, cardToken: body.cardToken }
        : { valid: body.valid };
    } catch {
      return 'unavailable';
    }
  };
}
