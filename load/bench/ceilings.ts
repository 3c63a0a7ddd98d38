// Raw ceilings of the tap path's two services, measured in the same sitting as the tap path
// (issue 10 item 5): what Redis does with a script call that does nothing, and what Mosquitto
// carries of batch-sized QoS 1 messages. taps_per_s is then read against them.
import { randomBytes } from 'node:crypto';
import { connectRedis } from '../../gateway/src/store/redis-client.js';
import { type BenchMqttUser, benchMqtt } from './mqtt-client.js';
import { progress } from './stats.js';

const TRIVIAL = 'return 1';

/**
 * Trivial EVALSHA on a client made as the store makes its own (connectRedis: one connection,
 * auto-pipelining on). one_at_a_time: one loop, each call awaited before the next (a round trip
 * per call). pipelined: 8 loops of 100-call pipelines (ioredis pipeline(), not auto-pipelining).
 */
export async function evalshaCeiling(
  redisUrl: string,
  seconds: number,
): Promise<{ oneAtATimePerS: number; pipelinedPerS: number }> {
  const redis = connectRedis(redisUrl);
  try {
    const sha = (await redis.script('LOAD', TRIVIAL)) as string;
    let deadline = performance.now() + seconds * 1000;
    let calls = 0;
    let started = performance.now();
    while (performance.now() < deadline) {
      await redis.evalsha(sha, 0);
      calls++;
    }
    const oneAtATimePerS = calls / ((performance.now() - started) / 1000);
    calls = 0;
    started = performance.now();
    deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() < deadline) {
          const p = redis.pipeline();
          for (let i = 0; i < 100; i++) p.evalsha(sha, 0);
          await p.exec();
          calls += 100;
        }
      }),
    );
    return { oneAtATimePerS, pipelinedPerS: calls / ((performance.now() - started) / 1000) };
  } finally {
    redis.disconnect();
  }
}

/**
 * Batch-sized QoS 1 messages through the broker to one subscriber: one publisher keeps up to
 * 200 messages unacknowledged (PUBACK), the subscriber subscribes at QoS 1; the figure is the
 * messages received per second, first publish to last delivery (bounded by maxSeconds).
 */
export async function mqttBatchCeiling(o: {
  mqttUrl: string;
  payloadBytes: number;
  messages: number;
  maxSeconds: number;
  /** Two broker users allowed under onecard/v1/# (the gateways' users, free by then). */
  subscriber: BenchMqttUser;
  publisher: BenchMqttUser;
}): Promise<number> {
  const topic = `onecard/v1/bench-ceiling/${process.pid}-${Date.now()}/msgs`;
  const sub = await benchMqtt(o.mqttUrl, o.subscriber);
  const pub = await benchMqtt(o.mqttUrl, o.publisher);
  try {
    let received = 0;
    let wake: (() => void) | undefined;
    sub.on('message', () => {
      received++;
      wake?.();
    });
    await sub.subscribeAsync(topic, { qos: 1 });
    const payload = randomBytes(o.payloadBytes);
    const show = progress('mqtt ceiling, batch-sized QoS 1 messages');
    const started = performance.now();
    const deadline = started + o.maxSeconds * 1000;
    let sent = 0;
    let inflight = 0;
    while (received < o.messages && performance.now() < deadline) {
      while (sent < o.messages && inflight < 200) {
        inflight++;
        sent++;
        pub.publish(topic, payload, { qos: 1 }, () => {
          inflight--;
          wake?.();
        });
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 20);
      });
      wake = undefined;
      show(received, o.messages);
    }
    return received / ((performance.now() - started) / 1000);
  } finally {
    await pub.endAsync();
    await sub.endAsync();
  }
}
