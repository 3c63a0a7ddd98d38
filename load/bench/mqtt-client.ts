// Every MQTT connection the tap-path bench opens (simulated devices, the broker ceiling) is made
// here. The shipped broker authenticates every client and takes the username as the client id
// (deploy/mosquitto/), so each connection is one of the users scripts/services.sh made.
import mqtt, { type MqttClient } from 'mqtt';

export interface BenchMqttUser {
  username: string;
  password: string;
}

/** Nagle off, as the devices and gateways have it (docs/decisions/0224). */
export async function benchMqtt(url: string, user: BenchMqttUser): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: user.username,
    username: user.username,
    password: user.password,
    protocolVersion: 5,
    clean: true,
  });
  // connectAsync resolves on the first CONNACK: that socket now, any reconnect's on its CONNACK.
  const noDelay = () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  noDelay();
  client.on('connect', noDelay);
  return client;
}
