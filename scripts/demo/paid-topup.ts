// The demo's paid top-up (docs/decisions/0150): the holder's app makes an order at the gateway,
// pays it at the payment simulator, and the card is credited when the simulator's signed
// notification reaches the gateway, not before.
import type { Simulator } from '../../test/support/payment-simulator.js';

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

export async function paidTopUp(gatewayUrl: string, holder: string, sim: Simulator, amountFen: number) {
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: { authorization: holder, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
  const before = Number((await call('GET', '/v1/holder/card')).balanceFen);
  const order = await call('POST', '/v1/holder/topup-orders', {
    amountFen,
    requestId: `demo-${Date.now()}`,
  });
  const paid = await sim.pay(String(order.payReference));
  if (paid.status !== 200) throw new Error(`the simulator refused the payment: ${paid.status}`);
  const orderUrl = `/v1/holder/topup-orders/${String(order.orderId)}`;
  for (let i = 0; i < 200 && (await call('GET', orderUrl)).status !== 'credited'; i++)
    await new Promise((r) => setTimeout(r, 50));
  const after = Number((await call('GET', '/v1/holder/card')).balanceFen);
  console.log(
    `  holder top-up ${yuan(amountFen)} paid at the payment simulator: order ${String(order.orderId).slice(0, 9)}… credited on its signed notification, balance ${yuan(before)} → ${yuan(after)}`,
  );
}
