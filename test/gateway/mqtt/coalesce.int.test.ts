// The gateway's MQTT link sends what it writes in one turn of the event loop as one write
// (docs/decisions/0239). mqtt.js writes each packet on its own and flushes it on the next tick,
// and it takes the next incoming packet on a later tick, so each PUBACK used to be a write of
// its own: ~1,000 4-byte writes a second at the max rate. Real Mosquitto, a real socket.
// Nor does it make mqtt-packet's table of 65,536 number Buffers (decision 0240).
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../../core/topics.js';
import { MqttLink } from '../../../gateway/src/mqtt/link.js';
import { uniqueId } from '../../support/env.js';
import {
  connectAsService,
  connectWhenAccepted,
  quietLinkOptions,
  type ServiceUser,
  serviceUser,
} from '../../support/mqtt.js';

let link: MqttLink | undefined;
let user: ServiceUser | undefined;
let watcher: MqttClient | undefined;

afterEach(async () => {
  await link?.stop();
  link = undefined;
  await watcher?.endAsync();
  watcher = undefined;
  user?.remove();
  user = undefined;
});

/** Counts the socket's writes as they reach it (one per write or writev syscall Node makes). */
function countWrites(stream: Socket): { readonly n: number } {
  const counter = { n: 0 };
  type Sink = (this: Socket, ...args: unknown[]) => void;
  const s = stream as Socket & { _write: Sink; _writev?: Sink };
  const write = s._write;
  const writev = s._writev;
  s._write = function (this: Socket, ...args: unknown[]) {
    counter.n++;
    return write.apply(this, args);
  };
  if (writev)
    s._writev = function (this: Socket, ...args: unknown[]) {
      counter.n++;
      return writev.apply(this, args);
    };
  return counter;
}

/** mqtt-packet, and its number table (numbers.js), the ones the link's client writes with. */
const require = createRequire(import.meta.url);
const mqttPacket = require('mqtt-packet') as { writeToStream: { cacheNumbers: boolean } };
const numberCache = require('mqtt-packet/numbers.js').cache as Record<number, Buffer>;

const tick = () => new Promise<void>((r) => process.nextTick(r));
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('gateway MQTT link: one write a turn', () => {
  it('sends the packets of one turn in one write, however many ticks apart, in order', async () => {
    user = serviceUser('gwcork');
    // This file's other clients keep no table either: the table is the module's, made by
    // whichever client writes first with it on.
    const noTable = { writeCache: false };
    await (await connectWhenAccepted(user, noTable)).endAsync();
    link = new MqttLink(quietLinkOptions(user));
    // The table is on again, as in a process whose first client is the link's.
    mqttPacket.writeToStream.cacheNumbers = true;
    await link.start();
    const deviceId = uniqueId('cork');
    const acks = topics.ack(uniqueId('op'), deviceId);
    watcher = await connectAsService('gwcorkw', noTable);
    await watcher.subscribeAsync(acks, { qos: 1 });
    const got: string[] = [];
    const all = new Promise<void>((resolve) =>
      watcher!.on('message', (_t, payload) => {
        got.push(payload.toString());
        if (got.length === 21) resolve();
      }),
    );
    // The link's own client (private: no getter exists only for a test).
    const client = (link as unknown as { client: MqttClient }).client;
    await turn();
    const writes = countWrites(client.stream as Socket);

    // Twenty acks a tick apart, as the ingest sends them from its continuations: one write.
    for (let i = 0; i < 20; i++) {
      link.send(acks, Buffer.from(`ack ${i}`));
      await tick();
    }
    expect(writes.n).toBe(0);
    await turn();
    expect(writes.n).toBe(1);

    // A packet of a later turn is not held for another: it leaves with its own turn.
    link.send(acks, Buffer.from('ack 20'));
    await turn();
    expect(writes.n).toBe(2);

    await all;
    expect(got).toEqual(Array.from({ length: 21 }, (_, i) => `ack ${i}`));
    // Nor does it keep mqtt-packet's table of every 16-bit number as a Buffer (0240): 65,536
    // objects that each full collection would mark again.
    expect(Object.keys(numberCache)).toHaveLength(0);
  });
});
