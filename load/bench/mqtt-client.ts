// Every MQTT connection the tap-path bench opens (simulated devices, the broker ceiling) is made
// here, so giving them credentials (a broker that authenticates every client) is one change.
import mqtt, { type MqttClient } from 'mqtt';

export function benchMqtt(url: string, clientId: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId, protocolVersion: 5, clean: true });
}
