// One gateway MQTT link alone in a process, so a test can kill it hard (SIGKILL: the socket
// closes without an MQTT DISCONNECT, as when a gateway crashes). Prints one JSON line per
// batch message it is handed: {"topic": ..., "payload": <utf-8>}.
// argv: <mqtt url> <username = client id> <share group>; env LINK_PASSWORD: its password.

import { silentLogger } from '../../../gateway/src/log.js';
import { MqttLink } from '../../../gateway/src/mqtt/link.js';

const [url, clientId, shareGroup] = process.argv.slice(2) as [string, string, string];
const link = new MqttLink({
  url,
  clientId,
  username: clientId,
  password: process.env.LINK_PASSWORD ?? '',
  protocolVersion: 5,
  shareGroup,
  concurrency: 8,
  maxPacketBytes: 64 * 1024,
  log: silentLogger,
  onTaps: async (topic, payload) => {
    process.stdout.write(`${JSON.stringify({ topic, payload: payload.toString('utf8') })}\n`);
  },
  onStatus: () => {},
});
await link.start();
process.stdout.write(`${JSON.stringify({ started: clientId })}\n`);
