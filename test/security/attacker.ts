// What the attack suites share: reading a gateway counter, waiting for one to move, and a
// publish whose refusal by the broker (MQTT 5 PUBACK reason code) is the answer.
import type { MqttClient } from 'mqtt';

/** The value of one exact Prometheus sample line (`name{labels}`) of the gateway; 0 when absent. */
export async function metric(gatewayUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

/** Polls until fn answers true; fails after ms with what was awaited (no timed assertion). */
export async function eventually(
  what: string,
  fn: () => Promise<boolean> | boolean,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A QoS 1 publish the broker is expected to refuse: the PUBACK reason code it answered
 * (0x87 not authorised), or 0 when it took the message.
 */
export async function pubackCode(
  client: MqttClient,
  topic: string,
  payload: Uint8Array,
  retain = false,
): Promise<number> {
  try {
    await client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain });
    return 0;
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (typeof code !== 'number') throw err;
    return code;
  }
}
