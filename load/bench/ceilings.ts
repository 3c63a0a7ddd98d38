// Raw ceilings of the tap path's two services, measured in the same sitting as the tap path
// (issue 10 item 5): what Redis does with a script call that does nothing, what Mosquitto
// carries of batch-sized QoS 1 messages, and how long a batch and its ack take through it when
// nothing else is done with them. taps_per_s and the ack latencies are then read against them.
import { randomBytes } from 'node:crypto';
import { connectRedis } from '../../gateway/src/store/redis-client.js';
import { type BenchMqttUser, benchMqtt } from './mqtt-client.js';
import { percentile, progress, round } from './stats.js';

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

/**
 * The broker's share of an ack's latency: a batch-sized QoS 1 message to a responder that answers
 * at once with an ack-sized QoS 1 message, timed from publish to answer, paced at `perSecond`
 * (200: the batches of 20,000 taps/s). No gateway work in it, so it is the floor under
 * city_ack_p50_ms / city_ack_p99_ms; Nagle's algorithm showed here first (docs/decisions/0224).
 */
export async function mqttRoundTrip(o: {
  mqttUrl: string;
  requestBytes: number;
  replyBytes: number;
  perSecond: number;
  messages: number;
  maxSeconds: number;
  /** Two broker users allowed under onecard/v1/# (the gateways' users, free by then). */
  responder: BenchMqttUser;
  requester: BenchMqttUser;
}): Promise<{ p50: number; p99: number }> {
  const base = `onecard/v1/bench-rtt/${process.pid}-${Date.now()}`;
  const responder = await benchMqtt(o.mqttUrl, o.responder);
  const requester = await benchMqtt(o.mqttUrl, o.requester);
  try {
    const reply = randomBytes(o.replyBytes);
    responder.on('message', (_t, p) => {
      // The request's number back in the answer's first 4 bytes (one answer buffer a request).
      const answer = Buffer.from(reply);
      p.copy(answer, 0, 0, 4);
      responder.publish(`${base}/ack`, answer, { qos: 1 });
    });
    await responder.subscribeAsync(`${base}/taps`, { qos: 1 });
    const sentAt = new Float64Array(o.messages);
    const latencies: number[] = [];
    let wake: (() => void) | undefined;
    requester.on('message', (_t, p) => {
      latencies.push(performance.now() - sentAt[p.readUInt32BE(0)]!);
      wake?.();
    });
    await requester.subscribeAsync(`${base}/ack`, { qos: 1 });
    const request = randomBytes(o.requestBytes);
    const show = progress(`mqtt round trip, ${o.perSecond} a second`);
    const started = performance.now();
    const deadline = started + o.maxSeconds * 1000;
    let sent = 0;
    while (latencies.length < o.messages && performance.now() < deadline) {
      // Open loop: request n is due at started + n / perSecond, whatever the answers do.
      while (sent < o.messages && performance.now() >= started + (sent * 1000) / o.perSecond) {
        request.writeUInt32BE(sent, 0);
        sentAt[sent] = performance.now();
        requester.publish(`${base}/taps`, Buffer.from(request), { qos: 1 });
        sent++;
      }
      const due = started + (sent * 1000) / o.perSecond - performance.now();
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.max(1, Math.min(20, due)));
      });
      wake = undefined;
      show(latencies.length, o.messages);
    }
    const sorted = latencies.sort((a, b) => a - b);
    return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
  } finally {
    await requester.endAsync();
    await responder.endAsync();
  }
}
