// Every MQTT connection the tap-path bench opens (simulated devices, the broker ceiling) is made
// here. The shipped broker authenticates every client and takes the username as the client id
// (deploy/mosquitto/), so each connection is one of the users scripts/services.sh made.
import mqtt, { type MqttClient } from 'mqtt';

export interface BenchMqttUser {
  username: string;
  password: string;
}

export function benchMqtt(url: string, user: BenchMqttUser): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    clientId: user.username,
    username: user.username,
    password: user.password,
    protocolVersion: 5,
    clean: true,
  });
}
