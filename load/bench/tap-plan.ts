// The gateway's own CPU per tap, without Redis or MQTT (issue 10 item 5, docs/decisions/0205):
// a signed 100-tap batch through the real Ingest.handle (decode and validate, the device's
// signature, location, claims and their script arguments, planning, the commit's script
// arguments and reply decoding, metrics, the signed ack), with a store that answers from memory
// in the Redis adapter's own encoding (redis-commit.ts), both script calls then encoded by
// ioredis's own Command as the store's autopipelined client sends them (docs/decisions/0221),
// and time passed in.
//   tap_plan_us_per_tap  p50 of one batch through the ingest, divided by its taps;
//   tap_decode_us_per_tap  the baseline: p50 of decoding the same batch alone as the gateway does
//                        (protos/tap-codec.ts, every tap read; docs/decisions/0216), the work
//                        no gateway can skip, timed in the same rounds;
//   ratio_tap_plan_to_decode  the first over the second;
//   tap_plan_gc_share    the GC pauses of the ingest rounds over their time;
//   tap_plan_city_us_per_tap  the same batch in the same rounds with the commit's arguments built
//                        as a city's gateway builds them (history in PostgreSQL: keepRecords
//                        false, records only as the outbox's frames; docs/decisions/0219);
//   tap_plan_city_gc_share  the GC pauses over the time of as many city batches run alone after
//                        (interleaved with the others, a scavenge falls mostly in whichever
//                        round allocates most, so the city's own share is not seen there);
//   tap_plan_city_heap_bytes_per_tap  heap allocated by one city batch (p50 over batches that
//                        ran without a GC), divided by its taps: the steadiest of the three.
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Command } from 'ioredis';
import type { CardState } from '../../core/card.js';
import { newDeviceKeyPair } from '../../core/device-keys.js';
import { flatPricer } from '../../core/pricing.js';
import { flatFare } from '../../core/tariff/flat.js';
import { topics } from '../../core/topics.js';
import type { DeviceRegistry } from '../../gateway/src/ingest/devices.js';
import { Ingest } from '../../gateway/src/ingest/ingest.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import { silentLogger } from '../../gateway/src/log.js';
import { createMetrics } from '../../gateway/src/metrics.js';
import { checkEffects } from '../../gateway/src/store/amounts.js';
import type { Device, Store, TapClaim } from '../../gateway/src/store/port.js';
import { claimCall, commitCalls, decodeCall, decodeClaims } from '../../gateway/src/store/redis-commit.js';
import { RedisKeys } from '../../gateway/src/store/redis-keys.js';
import { encodeSignedBatch } from '../../protos/codec.js';
import { emptyTap, TapBatchReader } from '../../protos/tap-codec.js';
import { v1 } from '../../protos/wire.js';
import { deviceKeySigner } from './devices.js';
import { percentile, round } from './stats.js';

const TAPS = 100;
/** A fixed instant (2026-06-01T08:00Z): the run never depends on the hour of day. */
const NOW = Date.UTC(2026, 5, 1, 8);
const BUCKET_TTL = 32 * 86_400;
/** Any 40 hex digits: the encoding does not look at the script's hash. */
const SHA = 'f'.repeat(40);

/**
 * A script call as ioredis puts it on the socket (docs/decisions/0221): the EVALSHA Command (its
 * arguments flattened and stringified, its promise), its RESP (a string, or with any Buffer
 * argument a Buffer built by MixedBuffers), and a string's UTF-8 conversion, which the
 * autopipeline does before the socket write. The per-argument cost the gateway's profile shows
 * under ioredis, kept in the yardstick so that a change to an argument's form shows there.
 */
function encodeAsIoredis(keys: readonly string[], args: ReadonlyArray<string | Buffer>): void {
  const cmd = new Command('evalsha', [SHA, keys.length, (keys as Array<string | Buffer>).concat(args)]);
  const out = cmd.toWritable({});
  if (typeof out === 'string') Buffer.from(out, 'utf8');
}

/**
 * The store calls of a clean batch, answered from memory; the Redis adapter's arguments are
 * built, with the records kept in Redis or (keepRecords false) as a city keeps them.
 */
function memoryStore(cards: ReadonlyMap<string, CardState>, keepRecords: boolean): Store {
  const keys = new RedisKeys('bench', 16);
  const store = {
    async claimTaps(deviceId: string, epoch: string, claims: readonly TapClaim[], now: number) {
      const requests = [{ deviceId, epoch, claims, now }];
      const call = claimCall(keys, requests, BUCKET_TTL);
      encodeAsIoredis(call.keys, call.args);
      // Every claim held: the script names none (docs/decisions/0230).
      return decodeClaims(requests, [])[0]!;
    },
    async loadCards(tokens: readonly string[]) {
      return new Map(tokens.map((t) => [t, cards.get(t)!]));
    },
    async commit(effects: Parameters<Store['commit']>[0]) {
      checkEffects(effects);
      const out = new Array(effects.length);
      for (const call of commitCalls(effects, keys, BUCKET_TTL, { keepRecords })) {
        encodeAsIoredis(call.keys, call.args);
        // Every effect applied: the script names none (docs/decisions/0230).
        decodeCall(call, effects, [], out);
      }
      return out;
    },
  };
  return store as unknown as Store;
}

/** The gateway's decode of a batch (validate.ts): its fields, then every tap, nothing kept. */
function decodeTaps(payload: Buffer): void {
  const batch = new TapBatchReader(payload);
  const tap = emptyTap();
  while (batch.nextTap(tap));
  if (batch.error !== undefined) throw new Error(batch.error);
}

export async function benchTapPlan(quick: boolean): Promise<Record<string, number>> {
  const rounds = quick ? 1_000 : 5_000;
  const pair = newDeviceKeyPair();
  const device: Device = {
    deviceId: 'bench-plan',
    operatorId: 'benchco',
    profile: 'bus_validator',
    routeId: 'r1',
    stationId: '',
    venueId: '',
    publicKey: pair.publicKey,
  };
  const cards = new Map<string, CardState>();
  const tokens = Array.from({ length: TAPS }, (_, i) => Buffer.alloc(16, i + 1));
  for (const t of tokens) {
    const token = t.toString('hex');
    cards.set(token, {
      token,
      known: true,
      version: 1,
      balanceFen: 1e9,
      status: 'active',
      flags: 0,
      masked: '1234****5678',
      region: '500228',
      fare: {},
    });
  }
  const signer = deviceKeySigner(pair.privateKey);
  // Each round a new seq range: the ingest sees what a device sends, never the same batch twice.
  const batch = (round: number) =>
    encodeSignedBatch(
      {
        deviceId: device.deviceId,
        operatorId: device.operatorId,
        journalEpoch: Buffer.from('0123456789abcdef', 'hex'),
        sentAtMs: NOW,
        taps: tokens.map((cardToken, i) => ({
          seq: 1 + round * TAPS + i,
          deviceTimeMs: NOW - 1000 + i,
          credential: v1.CredentialKind.CREDENTIAL_KIND_CARD,
          cardToken,
          issuingRegion: '500228',
          location: { routeId: 'r1', stopId: 's1' },
          direction: v1.Direction.DIRECTION_BOARD,
          decision: v1.Decision.DECISION_ALLOW,
          reason: v1.Reason.REASON_OK,
        })),
      },
      signer,
    );
  const ackSigner = new ListSigner('a7'.repeat(32), 'bench');
  let acks = 0;
  const metrics = createMetrics();
  const ingestWith = (keepRecords: boolean) =>
    new Ingest({
      store: memoryStore(cards, keepRecords),
      devices: { get: async () => device, refusal: () => 'UNKNOWN_DEVICE' } as unknown as DeviceRegistry,
      fare: flatPricer(flatFare()),
      limits: { maxBatchBytes: 1 << 20, maxTapsPerBatch: 1000 },
      deadLetterBounds: { maxCount: 10, maxBytes: 1 << 20, maxPayloadBytes: 1 << 16 },
      sendAck: () => {
        acks++;
      },
      ackSigner: { keyId: ackSigner.keyId, sign: (b) => ackSigner.sign(b) },
      metrics,
      log: silentLogger,
      now: () => NOW,
    });
  const ingest = ingestWith(true);
  const city = ingestWith(false);
  const topic = topics.taps(device.operatorId, device.deviceId);
  const payloads = Array.from({ length: rounds + 200 }, (_, i) => batch(i));
  const plan: number[] = [];
  const cityPlan: number[] = [];
  const decode: number[] = [];
  // tap_plan_gc_share leaves out the GC pauses that began inside a city round (performance.now
  // time; the in-memory store answers at once, so a round's GC happens inside its interval).
  const cityRounds: number[] = [];
  let gcMs = 0;
  let cityGcMs = 0;
  let aloneGcMs = 0;
  let alone = false;
  const gc = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      if (alone) aloneGcMs += e.duration;
      else {
        gcMs += e.duration;
        if (inCityRound(e.startTime)) cityGcMs += e.duration;
      }
    }
  });
  const inCityRound = (t: number): boolean => {
    for (let i = 0; i < cityRounds.length; i += 2)
      if (t >= cityRounds[i]! && t < cityRounds[i + 1]!) return true;
    return false;
  };
  // Warm-up: the JIT compiles the path before it is timed.
  for (let i = 0; i < 200; i++) {
    await ingest.handle(topic, payloads[i]!);
    await city.handle(topic, payloads[i]!);
  }
  gc.observe({ entryTypes: ['gc'] });
  let planMs = 0;
  for (let i = 200; i < payloads.length; i++) {
    const p = payloads[i]!;
    let t = process.hrtime.bigint();
    decodeTaps(p);
    decode.push(Number(process.hrtime.bigint() - t) / 1000);
    t = process.hrtime.bigint();
    await ingest.handle(topic, p);
    let us = Number(process.hrtime.bigint() - t) / 1000;
    plan.push(us);
    planMs += us / 1000;
    cityRounds.push(performance.now());
    t = process.hrtime.bigint();
    await city.handle(topic, p);
    us = Number(process.hrtime.bigint() - t) / 1000;
    cityRounds.push(performance.now());
    cityPlan.push(us);
  }
  // The observer's entries arrive on a later turn of the event loop (not before a timer).
  await new Promise((r) => setTimeout(r, 50));
  // The city's batches alone, for its GC share.
  alone = true;
  let aloneMs = 0;
  for (let i = 200; i < payloads.length; i++) {
    const t = process.hrtime.bigint();
    await city.handle(topic, payloads[i]!);
    aloneMs += Number(process.hrtime.bigint() - t) / 1e6;
  }
  await new Promise((r) => setTimeout(r, 50));
  gc.disconnect();
  // The city's allocation: heap growth across one batch, kept only when no GC ran inside it
  // (the heap shrank); after the timed rounds, so the reads of heapUsed do not enter them.
  const grown: number[] = [];
  for (let i = 0; i < 400; i++) {
    const before = process.memoryUsage().heapUsed;
    await city.handle(topic, payloads[200 + (i % rounds)]!);
    const after = process.memoryUsage().heapUsed;
    if (after >= before) grown.push(after - before);
  }
  const handled = 2 * payloads.length + rounds + 400;
  if (acks !== handled) throw new Error(`${handled - acks} batches not acked`);
  const p50 = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  const planUs = p50(plan) / TAPS;
  const decodeUs = p50(decode) / TAPS;
  return {
    tap_plan_us_per_tap: round(planUs, 2),
    tap_decode_us_per_tap: round(decodeUs, 2),
    ratio_tap_plan_to_decode: round(planUs / decodeUs, 1),
    // The pauses outside the city rounds, as before the city rounds were added.
    tap_plan_gc_share: round((gcMs - cityGcMs) / planMs, 3),
    tap_plan_city_us_per_tap: round(p50(cityPlan) / TAPS, 2),
    tap_plan_city_gc_share: round(aloneGcMs / aloneMs, 3),
    tap_plan_city_heap_bytes_per_tap: Math.round(p50(grown) / TAPS),
  };
}

if (process.argv[1]?.endsWith('tap-plan.ts'))
  console.log(JSON.stringify(await benchTapPlan(process.argv.includes('--quick'))));
