// Two gateway MQTT links in one shared-subscription group against the real Mosquitto; one is
// killed hard. The broker must stop dealing it batches at once (session expiry 0,
// docs/decisions/0160): every batch sent after the kill reaches the survivor, none waits in a
// dead session's queue for the device's resend timeout.
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../../core/topics.js';
import { type Proc, startProcess, waitFor } from '../../e2e/harness.js';
import { testEnv, uniqueId } from '../../support/env.js';
import { connectAsService, connectWhenAccepted, type ServiceUser, serviceUser } from '../../support/mqtt.js';

let procs: Proc[] = [];
let device: MqttClient | undefined;
let users: ServiceUser[] = [];

afterEach(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  procs = [];
  await device?.endAsync();
  for (const u of users) u.remove();
  users = [];
});

/** Payloads the link in this process was handed on the topic, in order. */
function received(p: Proc, topic: string): string[] {
  return p.lines
    .map((l) => JSON.parse(l) as { topic?: string; payload?: string })
    .filter((m) => m.topic === topic)
    .map((m) => m.payload!);
}

describe('gateway MQTT link: session expiry 0 on the shared subscription', () => {
  it('deals every batch to the surviving gateway once the other is killed without DISCONNECT', async () => {
    const group = uniqueId('g');
    const topic = topics.taps(uniqueId('op'), uniqueId('bus'));
    // Each link its own broker user (the client id is the username on the shipped broker).
    const [ua, ub] = [serviceUser('gwa'), serviceUser('gwb')];
    users.push(ua, ub);
    await Promise.all([ua, ub].map(async (u) => (await connectWhenAccepted(u)).endAsync()));
    const a = startProcess('link-a', 'test/gateway/mqtt/link-child.ts', { LINK_PASSWORD: ua.password }, [
      testEnv.mqttUrl(),
      ua.username,
      group,
    ]);
    const b = startProcess('link-b', 'test/gateway/mqtt/link-child.ts', { LINK_PASSWORD: ub.password }, [
      testEnv.mqttUrl(),
      ub.username,
      group,
    ]);
    procs.push(a, b);
    device = await connectAsService('dev');
    const publish = (payload: string) => device!.publishAsync(topic, payload, { qos: 1 });

    // Both links in the group: the broker has dealt each of them a warm-up batch.
    let w = 0;
    await waitFor('both links subscribed', async () => {
      await publish(`w${w++}`);
      return received(a, topic).length > 0 && received(b, topic).length > 0;
    });

    await a.kill('SIGKILL');
    // The broker has taken the kill in: two probes in a row reach the survivor. With a session
    // that outlives its connection the dead one keeps its turn, and this never happens.
    let p = 0;
    await waitFor('two probes in a row at the survivor', async () => {
      await publish(`p${p++}`);
      const got = received(b, topic);
      return got.at(-1) === `p${p - 1}` && got.at(-2) === `p${p - 2}`;
    });

    const sent = Array.from({ length: 50 }, (_, i) => `b${i}`);
    for (const s of sent) await publish(s);
    await waitFor(
      'every batch at the survivor',
      () => sent.every((s) => received(b, topic).includes(s)),
      20_000,
    ).catch(() => undefined);
    expect(received(b, topic).filter((s) => s.startsWith('b'))).toEqual(sent);
  });
});
