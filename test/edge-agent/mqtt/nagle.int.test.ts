// The edge agent's MQTT link turns Nagle off on its socket, and again after a reconnect
// (docs/decisions/0224): a batch written while an earlier write is unacknowledged would wait
// for the broker's delayed ACK, up to 40 ms on Linux. Real Mosquitto.
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../edge-agent/src/log.js';
import { EdgeLink } from '../../../edge-agent/src/mqtt/link.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { brokerDevice, connectWhenAccepted, noDelayOf } from '../../support/mqtt.js';

let link: EdgeLink | undefined;
let device: ReturnType<typeof brokerDevice> | undefined;

afterEach(async () => {
  await link?.stop();
  link = undefined;
  device?.remove();
  device = undefined;
});

describe('edge MQTT link: Nagle off', () => {
  it('sets TCP_NODELAY on its socket, and on the new socket after the connection is lost', async () => {
    device = brokerDevice(uniqueId('nagle'));
    await (await connectWhenAccepted(device, { clean: true })).endAsync();
    let ups = 0;
    let upped: (() => void) | undefined;
    link = new EdgeLink({
      url: testEnv.mqttUrl(),
      clientId: device.username,
      username: device.username,
      password: device.password,
      protocolVersion: 5,
      sessionExpirySec: 0,
      reconnectMs: 100,
      log: silentLogger,
      subscriptions: [],
      will: { topic: `onecard/v1/nagle/${device.username}/status`, payload: new Uint8Array() },
      onMessage: () => {},
      onUp: () => {
        ups++;
        upped?.();
      },
      onDown: () => {},
    });
    const up = (n: number) => new Promise<void>((r) => (upped = () => ups >= n && r()));
    const first = up(1);
    link.start();
    await first;
    const client = (link as unknown as { client: MqttClient }).client;
    const socket = client.stream;
    expect(noDelayOf(client)).toBe(true);

    const second = up(2);
    socket.destroy();
    await second;
    expect(client.stream).not.toBe(socket);
    expect(noDelayOf(client)).toBe(true);
  });
});
