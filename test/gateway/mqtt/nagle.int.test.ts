// The gateway's MQTT link turns Nagle off on its socket, and again on the socket of every
// reconnect (docs/decisions/0224): with Nagle on, a BatchAck written while an earlier write is
// unacknowledged waits for the broker's delayed ACK, up to 40 ms on Linux. Real Mosquitto.
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttLink } from '../../../gateway/src/mqtt/link.js';
import {
  connectWhenAccepted,
  noDelayOf,
  quietLinkOptions,
  type ServiceUser,
  serviceUser,
} from '../../support/mqtt.js';

let link: MqttLink | undefined;
let user: ServiceUser | undefined;

afterEach(async () => {
  await link?.stop();
  link = undefined;
  user?.remove();
  user = undefined;
});

describe('gateway MQTT link: Nagle off', () => {
  it('sets TCP_NODELAY on its socket, and on the new socket after the connection is lost', async () => {
    user = serviceUser('gwnagle');
    await (await connectWhenAccepted(user)).endAsync();
    link = new MqttLink(quietLinkOptions(user));
    await link.start();
    // The link's own client (private: no getter exists only for a test).
    const client = (link as unknown as { client: MqttClient }).client;
    const first = client.stream;
    expect(noDelayOf(client)).toBe(true);

    const again = new Promise((r) => client.once('connect', r));
    first.destroy();
    await again;
    expect(client.stream).not.toBe(first);
    expect(noDelayOf(client)).toBe(true);
  });
});
