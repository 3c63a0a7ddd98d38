// Where the test services run. scripts/services.sh starts them and writes .run/services.env;
// scripts/test.sh exports the same variables. A suite that needs a service and cannot find it
// fails with this message rather than skipping: a skipped test is a promise not kept.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '../..');

function fromEnvFile(): Record<string, string> {
  const file = join(root, '.run/services.env');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function need(name: string): string {
  const value = process.env[name] ?? fromEnvFile()[name];
  if (!value) {
    throw new Error(
      `${name} is not set: start the test services with 'bash scripts/services.sh up' (npm test does)`,
    );
  }
  return value;
}

export const testEnv = {
  root,
  redisUrl: () => need('ONECARD_TEST_REDIS_URL'),
  mqttUrl: () => need('ONECARD_TEST_MQTT_URL'),
  /** The broker's TLS listener and the CA its certificate chains to (scripts/broker-certs.sh). */
  mqttsUrl: () => need('ONECARD_TEST_MQTTS_URL'),
  mqttCaFile: () => need('ONECARD_TEST_MQTT_CA_FILE'),
  /** The shipped broker's files (deploy/mosquitto, docs/decisions/0170); test/support/mqtt.ts uses them. */
  mqttPasswordFile: () => need('ONECARD_TEST_MQTT_PASSWORD_FILE'),
  mqttAclFile: () => need('ONECARD_TEST_MQTT_ACL_FILE'),
  mqttPidFile: () => need('ONECARD_TEST_MQTT_PID_FILE'),
  /** The broker's log (connection_messages on): who connected as whom, whose session was taken. */
  mqttLogFile: () => join(dirname(need('ONECARD_TEST_MOSQUITTO_CONF')), 'mosquitto.log'),
  kafkaBrokers: () => need('ONECARD_TEST_KAFKA_BROKERS'),
  pgUrl: () => need('ONECARD_TEST_PG_URL'),
};

/** A short random id for key prefixes, topics and file names, so suites never collide. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
