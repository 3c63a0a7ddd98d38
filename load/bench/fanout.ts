// Lost card to every device (issue 8 item 9): N simulated devices, each enrolled over the HTTP
// API with its own identity, connected to the broker with a persistent session and subscribed to
// the deny list's delta topic as a validator is. A card is reported lost over the API; the
// figure is the time from the request to the signed delta arriving at each device, as
// deny_fanout_p50_ms / deny_fanout_p99_ms over several reports (target p99 ≤ 2,000 ms with
// 10,000 devices on this machine), plus the memory the broker and the gateway need for them.
//
// The same-run baseline is the broker alone: the same signed bytes published straight to the
// same N sessions on a topic of their own (deny_fanout_broker_p99_ms), so the ratio says what
// the gateway adds (the API call, the store, signing) on top of Mosquitto's fan-out.
//
// The devices only timestamp the delta's arrival: a real validator verifies the signature on
// its own CPU, and 10,000 verifications here would measure this process instead of the
// fan-out. The first copy of each delta is verified whole (signature, kind, the token in its
// body); every other copy must be byte-identical to it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { parsePublicKeys } from '../../core/lists/keys.js';
import { TOPIC_PREFIX, topics } from '../../core/topics.js';
import { openEnvelope } from '../../edge-agent/src/lists/envelope.js';
import { hashPassword } from '../../gateway/src/auth/passwords.js';
import { removePart, syncBroker } from '../../gateway/src/broker/files.js';
import { ListSigner } from '../../gateway/src/lists/signer.js';
import { v1 } from '../../protos/wire.js';
import { freePort, waitReady } from './ready.js';
import { percentile, progress, round } from './stats.js';

export interface FanoutOptions {
  quick: boolean;
  mqttUrl: string;
  root: string;
  /** Where the broker's pid is (scripts/services.sh writes it), for its memory. */
  brokerPidFile: string;
  log: (s: string) => void;
}

export interface FanoutFigures {
  deny_fanout_devices: number;
  deny_fanout_p50_ms: number;
  deny_fanout_p99_ms: number;
  /** Share of device × report deliveries that arrived before the bound (1 = all). */
  deny_fanout_delivered: number;
  deny_fanout_broker_p99_ms: number;
  ratio_deny_fanout_to_broker_p99: number;
  broker_rss_mb_per_1k_devices: number;
  gateway_rss_mb: number;
}

const TOKEN_KEY = 'fa'.repeat(32);
const LIST_SIGNING_KEY = 'fb'.repeat(32);
const LIST_KEY_ID = 'fanout';
const PASSWORD = 'bench-admin-password';
const OPERATOR = 'fanoutco';
/** Reports of a lost card, each measured at every device. */
const REPORTS = 3;
const BASELINE_TOPIC = `${TOPIC_PREFIX}/lists/fanout-baseline/all/delta`;
/** A delta that has not reached a device after this long counts as not delivered. */
const BOUND_MS = 15_000;

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Runs fn over items, at most `width` at a time. */
async function inWaves<T>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i]!, i);
    }),
  );
}

export async function denyFanoutBench(o: FanoutOptions): Promise<FanoutFigures> {
  const n = o.quick ? 1_000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'onecard-fanout-'));
  const operatorsFile = join(dir, 'operators.json');
  writeFileSync(
    operatorsFile,
    JSON.stringify({
      accounts: [
        { username: 'admin', role: 'admin', tenant: '', passwordHash: await hashPassword(PASSWORD) },
      ],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const brokerFiles = {
    passwordFile: process.env.ONECARD_TEST_MQTT_PASSWORD_FILE ?? join(o.root, '.run/mosquitto/passwd'),
    aclFile: process.env.ONECARD_TEST_MQTT_ACL_FILE ?? join(o.root, '.run/mosquitto/acl'),
    // The broker's supervisor (scripts/services.sh) reloads it when the files change: 10,000
    // enrolments are a few reloads, not 10,000.
    pidFile: '',
  };
  const part = `bench-fanout-${process.pid}`;
  const gw: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(o.root, 'gateway/src/main.ts')], {
    cwd: o.root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      ONECARD_INSTANCE_ID: 'bench-fanout',
      ONECARD_STORE: 'sqlite',
      ONECARD_SQLITE_FILE: join(dir, 'gw.db'),
      ONECARD_MQTT_URL: o.mqttUrl,
      ONECARD_MQTT_SHARE_GROUP: `fanout${process.pid}`,
      // The shipped broker: a gateway user of its own (the tap-path bench's gateway holds
      // gateway-1 meanwhile), and this registry's part of the password file, removed at the end.
      ONECARD_MQTT_USERNAME: process.env.ONECARD_TEST_MQTT_GATEWAY2_USERNAME ?? '',
      ONECARD_MQTT_PASSWORD: process.env.ONECARD_TEST_MQTT_GATEWAY2_PASSWORD ?? '',
      ONECARD_BROKER_PASSWORD_FILE: brokerFiles.passwordFile,
      ONECARD_BROKER_ACL_FILE: brokerFiles.aclFile,
      ONECARD_BROKER_PID_FILE: brokerFiles.pidFile,
      ONECARD_BROKER_PASSWORD_PART: part,
      ONECARD_HTTP_PORT: String(port),
      ONECARD_TOKEN_KEY: TOKEN_KEY,
      ONECARD_LIST_SIGNING_KEY: LIST_SIGNING_KEY,
      ONECARD_LIST_KEY_ID: LIST_KEY_ID,
      ONECARD_OPERATORS_FILE: operatorsFile,
      ONECARD_LOG_LEVEL: 'warn',
    },
  });
  const clients: MqttClient[] = [];
  const trusted = parsePublicKeys(
    `${LIST_KEY_ID}:${new ListSigner(LIST_SIGNING_KEY, LIST_KEY_ID).publicKeyHex()}`,
  );
  if (typeof trusted === 'string') throw new Error(trusted);
  try {
    await waitReady(url, 'the fan-out gateway');
    const login = await fetch(`${url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD, bearer: true }),
    });
    const auth = `Bearer ${((await login.json()) as { token: string }).token}`;
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const r = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    };

    const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
    const ids = Array.from({ length: n }, (_, i) => `fan-${run}-${i}`);
    const enrolled: Array<{ username?: string; password?: string }> = new Array(n);
    const showEnrol = progress(`enrolling ${n} devices`);
    let done = 0;
    await inWaves(ids, 16, async (deviceId, i) => {
      const answer = await api<{ mqttUsername?: string; secret?: string }>('POST', '/v1/devices', {
        deviceId,
        operatorId: OPERATOR,
        profile: 'metro_entry_gate',
        stationId: 'st1',
      });
      enrolled[i] = { username: answer.mqttUsername, password: answer.secret };
      showEnrol(++done, n);
    });

    const brokerPid = Number(readFileSync(o.brokerPidFile, 'utf8').trim());
    const brokerBefore = rssMb(brokerPid);
    const deltaTopic = topics.listDelta('deny', 'all');
    // Arrival times per report, by the delta's version; the first copy of each is checked whole.
    const arrivals = new Map<number, number[]>();
    const firstCopy = new Map<number, Buffer>();
    let mismatched = 0;
    const baseline: number[] = [];
    const onDelta = (topic: string, payload: Buffer) => {
      const at = performance.now();
      if (topic === BASELINE_TOPIC) {
        baseline.push(at);
        return;
      }
      const env = v1.SignedList.decode(payload);
      const version = Number(env.version);
      const first = firstCopy.get(version);
      if (!first) firstCopy.set(version, payload);
      else if (!first.equals(payload)) mismatched++;
      const list = arrivals.get(version);
      if (list) list.push(at);
      else arrivals.set(version, [at]);
    };
    const showConnect = progress(`connecting ${n} devices (own credentials, persistent sessions)`);
    done = 0;
    // The broker learns the enrolled devices on its reload after the gateway wrote the password
    // file: a refusal right after enrolment is retried for a while (bounded).
    const connectEnrolled = async (options: mqtt.IClientOptions): Promise<MqttClient> => {
      for (const end = performance.now() + 20_000; ; ) {
        try {
          return await mqtt.connectAsync(o.mqttUrl, options);
        } catch (err) {
          if (!/not authori[sz]ed|bad user ?name/i.test((err as Error).message) || performance.now() > end)
            throw err;
          await new Promise((res) => setTimeout(res, 100));
        }
      }
    };
    await inWaves(ids, 64, async (deviceId, i) => {
      const c = await connectEnrolled({
        clientId: deviceId,
        username: enrolled[i]!.username,
        password: enrolled[i]!.password,
        protocolVersion: 5,
        clean: false,
        // A persistent session as the edge agent keeps one: never expiring (decision 0170, the
        // expiry list of Mosquitto 2.0.11); each client ends it in its DISCONNECT below.
        properties: { sessionExpiryInterval: 0xffffffff },
        reconnectPeriod: 0,
      });
      c.on('message', onDelta);
      await c.subscribeAsync([deltaTopic, BASELINE_TOPIC], { qos: 1 });
      clients[i] = c;
      showConnect(++done, n);
    });
    const brokerAfter = rssMb(brokerPid);

    const latencies: number[] = [];
    let delivered = 0;
    for (let r = 0; r < REPORTS; r++) {
      const card = await api<{ token: string }>('POST', '/v1/cards', {
        cardNumber: `FANOUT${run.slice(-6)}${r}`.toUpperCase(),
        region: '110000',
      });
      // The delta this report makes is the first version the devices have not seen yet (it
      // may arrive before the API answers).
      const known = new Set(arrivals.keys());
      const sent = performance.now();
      await api('POST', `/v1/cards/${card.token}/lost`, {});
      let version: number | undefined;
      const end = sent + BOUND_MS;
      while (performance.now() < end) {
        version ??= [...arrivals.keys()].find((v) => !known.has(v));
        if (version !== undefined && arrivals.get(version)!.length >= n) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      if (version === undefined) throw new Error(`report ${r + 1}: no delta reached any device`);
      const opened = openEnvelope(firstCopy.get(version)!, trusted);
      if (!opened.ok) throw new Error(`the delta does not verify: ${opened.why}`);
      if (!Buffer.from(opened.body).includes(Buffer.from(card.token, 'hex')))
        throw new Error('the delta does not carry the lost card');
      const got = arrivals.get(version)!;
      delivered += got.length;
      for (const at of got) latencies.push(at - sent);
      o.log(
        `  report ${r + 1}: ${got.length}/${n} devices, p99 ${round(
          percentile(
            [...got].map((a) => a - sent).sort((a, b) => a - b),
            99,
          ),
        )} ms`,
      );
    }
    // The broker alone, same bytes, same sessions.
    const admin = process.env.ONECARD_TEST_MQTT_ADMIN_USERNAME ?? '';
    const publisher = await mqtt.connectAsync(o.mqttUrl, {
      clientId: admin,
      username: admin,
      password: process.env.ONECARD_TEST_MQTT_ADMIN_PASSWORD ?? '',
      protocolVersion: 5,
    });
    const brokerLatencies: number[] = [];
    try {
      const bytes = firstCopy.values().next().value!;
      for (let r = 0; r < REPORTS; r++) {
        baseline.length = 0;
        const sent = performance.now();
        await publisher.publishAsync(BASELINE_TOPIC, bytes, { qos: 1 });
        for (const end = sent + BOUND_MS; baseline.length < n && performance.now() < end; )
          await new Promise((res) => setTimeout(res, 20));
        for (const at of baseline) brokerLatencies.push(at - sent);
        for (let missing = n - baseline.length; missing > 0; missing--) brokerLatencies.push(BOUND_MS);
      }
    } finally {
      await publisher.endAsync();
    }
    brokerLatencies.sort((a, b) => a - b);
    if (mismatched > 0) throw new Error(`${mismatched} copies of a delta differed from the first`);
    latencies.sort((a, b) => a - b);
    // Devices a delta never reached count as the bound itself, so they cannot flatter the p99.
    for (let missing = REPORTS * n - delivered; missing > 0; missing--) latencies.push(BOUND_MS);
    return {
      deny_fanout_devices: n,
      deny_fanout_p50_ms: round(percentile(latencies, 50)),
      deny_fanout_p99_ms: round(percentile(latencies, 99)),
      deny_fanout_delivered: round(delivered / (REPORTS * n), 4),
      deny_fanout_broker_p99_ms: round(percentile(brokerLatencies, 99)),
      ratio_deny_fanout_to_broker_p99: round(percentile(latencies, 99) / percentile(brokerLatencies, 99)),
      broker_rss_mb_per_1k_devices: round(((brokerAfter - brokerBefore) / n) * 1000),
      gateway_rss_mb: round(rssMb(gw.pid!)),
    };
  } finally {
    // Session expiry 0 in the DISCONNECT: the broker drops the 10,000 sessions now, before the
    // bench's users leave its password file.
    await Promise.all(
      clients.map((c) => c?.endAsync(false, { properties: { sessionExpiryInterval: 0 } }).catch(() => {})),
    );
    gw.kill('SIGTERM');
    await new Promise((r) => gw.once('exit', r));
    // The bench's devices leave the broker with it (decision 0170: each registry its own part).
    removePart(brokerFiles.passwordFile, part, '.passwd');
    syncBroker(brokerFiles);
    rmSync(dir, { recursive: true, force: true });
  }
}
