// QR verification on the device, in one run:
//   baseline  ed25519_verify_p99_us: one bare Ed25519 signature check (node:crypto verify of the
//             137 signed bytes of a code with a ready KeyObject): the floor of any signed code;
//   measured  qr_verify_p99_us: the complete offline verification of a fresh dynamic code from
//             a credential this device has not seen before (base45 decode, layout, issuer
//             signature, app-key import, app signature, time windows, replay memory): the
//             worst case, and the figure held against the target (p99 ≤ 300 µs);
//             qr_verify_warm_p99_us: the same for a holder whose credential the device has
//             verified before (the credential cache skips the issuer signature and key import);
//             qr_decide_warm_p99_us: that warm verification plus what the verifier does next
//             before the journal: credentialFacts() and the entry rules (rules/engine.ts on a
//             metro entry gate, the holder's history in memory): the scan's whole decision
//             (docs/decisions/0070-qr-through-entry-rules.md).
//   SM2       sm2_verify_p99_us: one bare SM2-over-SM3 check (core/sm2.ts) of the same 137 bytes
//             with a key held as devices hold issuer and list keys (with tables), beside the
//             Ed25519 baseline; qr_verify_sm2_p99_us: the first-scan verification of a code whose
//             credential an SM2 issuer key signed (the app key stays Ed25519). Decision 0164.
// Timed per operation (hrtime), all interleaved in rounds so that CPU frequency and the other
// processes on the machine weigh on them alike; the SM2 figures on every 4th index (a quarter
// of the operations: each costs several Ed25519 checks).
import { verify } from 'node:crypto';
import {
  credentialFacts,
  issueCredential,
  issuerPrivateKey,
  issuerRawPublicKey,
  issuerSign,
  issuerVerify,
  Keyring,
  makeDynamicCode,
  newKeyPair,
  type QrContext,
  type QrPolicy,
  qrText,
  rawPublicKey,
  verifyQr,
} from '../../core/credentials/index.js';
import { defaultRules } from '../../core/entry/rules.js';
import { noFacts } from '../../core/facts.js';
import { profiles } from '../../core/profiles.js';
import { Sm2PrivateKey } from '../../core/sm2.js';
import { LruCredentialCache, LruReplayGuard } from '../../edge-agent/src/qr/caches.js';
import { EntryEngine } from '../../edge-agent/src/rules/engine.js';
import { MemoryHistory } from '../../edge-agent/src/rules/history.js';
import { percentile, round } from './stats.js';

const SM2_KEY_ID = 200;

export async function benchQr(quick: boolean): Promise<Record<string, number>> {
  const n = quick ? 4_000 : 20_000;
  const now = Date.now();
  const issuer = newKeyPair();
  const app = newKeyPair();
  const sm2Issuer = issuerPrivateKey(SM2_KEY_ID, Sm2PrivateKey.generateRaw());
  const credentialFor = (i: number, sm2 = false) =>
    issueCredential(sm2 ? sm2Issuer : issuer.privateKey, {
      keyId: sm2 ? SM2_KEY_ID : 1,
      cardToken: Buffer.from(i.toString(16).padStart(32, '0'), 'hex'),
      flags: 0,
      region: 500228,
      notBeforeSec: Math.floor(now / 1000) - 60,
      notAfterSec: Math.floor(now / 1000) + 86_400,
      appPublicKey: rawPublicKey(app.publicKey),
    });
  // Made before timing starts. Every code is distinct (the replay memory refuses repeats);
  // cold codes each come from a credential of their own, warm ones from one seen before.
  const warmCredential = credentialFor(n + 1);
  const cold = Array.from({ length: n }, (_, i) =>
    qrText(makeDynamicCode(app.privateKey, credentialFor(i), now, i)),
  );
  const warm = Array.from({ length: n }, (_, i) =>
    qrText(makeDynamicCode(app.privateKey, warmCredential, now, i)),
  );
  const decide = Array.from({ length: n }, (_, i) =>
    qrText(makeDynamicCode(app.privateKey, warmCredential, now, n + 10 + i)),
  );
  const sm2Cold = Array.from({ length: n }, (_, i) =>
    i % 4 === 0 ? qrText(makeDynamicCode(app.privateKey, credentialFor(2 * n + i, true), now, i)) : '',
  );
  const bare = makeDynamicCode(app.privateKey, warmCredential, now, n + 1);
  const [bareMsg, bareSig] = [bare.subarray(0, 137), bare.subarray(137)];
  const policy: QrPolicy = {
    keys: new Keyring([
      [1, rawPublicKey(issuer.publicKey)],
      [SM2_KEY_ID, issuerRawPublicKey(sm2Issuer)],
    ]),
    skewMs: 30_000,
    codeTtlMs: 600_000,
    outsidePrefixes: [],
  };
  const ctx: QrContext = {
    nowMs: now,
    replay: new LruReplayGuard(n * 4, () => now),
    ticketUsed: () => false,
    credentials: new LruCredentialCache(n * 2, () => now),
  };
  verifyQr(qrText(makeDynamicCode(app.privateKey, warmCredential, now, n + 2)), policy, ctx);
  const sm2Key = policy.keys.get(SM2_KEY_ID)!;
  const sm2Sig = issuerSign(sm2Issuer, bareMsg);
  const rules = new EntryEngine({
    gate: {
      profile: profiles.metro_entry_gate,
      rules: defaultRules.metro_entry_gate,
      venueId: '',
      risk: { maxTapsPerCardPerHour: 10, maxUnconfirmedFen: 2000, fareEstimateFen: 200 },
    },
    history: new MemoryHistory(1000),
    lastAckedSeq: () => 0,
  });
  /** Verify, facts, entry rules: the decision the verifier journals (the lists lookup is edge.ts's figure). */
  const decideScan = (text: string): boolean => {
    const v = verifyQr(text, policy, ctx);
    if (!v.ok || v.kind === 'outside') return false;
    const facts = credentialFacts(v, noFacts);
    return (
      rules.decide(v.kind === 'dynamic' ? v.cardToken : v.holderToken, facts, now, false).decision
        .decision === 'allow'
    );
  };

  const us = {
    cold: [] as number[],
    warm: [] as number[],
    decide: [] as number[],
    bare: [] as number[],
    sm2: [] as number[],
    sm2Cold: [] as number[],
  };
  let failures = 0;
  const step = 256; // a multiple of 4: the SM2 figures take every 4th index
  for (let start = 0; start < n; start += step) {
    const end = Math.min(n, start + step);
    for (let i = start; i < end; i++) {
      const t0 = process.hrtime.bigint();
      if (!verify(null, bareMsg, app.publicKey, bareSig)) failures++;
      us.bare.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    for (let i = start; i < end; i++) {
      const t0 = process.hrtime.bigint();
      if (!verifyQr(cold[i]!, policy, ctx).ok) failures++;
      us.cold.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    for (let i = start; i < end; i++) {
      const t0 = process.hrtime.bigint();
      if (!verifyQr(warm[i]!, policy, ctx).ok) failures++;
      us.warm.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    for (let i = start; i < end; i++) {
      const t0 = process.hrtime.bigint();
      if (!decideScan(decide[i]!)) failures++;
      us.decide.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    for (let i = start; i < end; i += 4) {
      const t0 = process.hrtime.bigint();
      if (!issuerVerify(sm2Key, bareMsg, sm2Sig)) failures++;
      us.sm2.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    for (let i = start; i < end; i += 4) {
      const t0 = process.hrtime.bigint();
      if (!verifyQr(sm2Cold[i]!, policy, ctx).ok) failures++;
      us.sm2Cold.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  if (failures > 0) throw new Error(`qr bench: ${failures} verifications or decisions failed`);
  for (const a of Object.values(us)) a.sort((x, y) => x - y);
  const p = (a: number[], q: number) => round(percentile(a, q), 1);
  return {
    qr_verify_p50_us: p(us.cold, 50),
    qr_verify_p99_us: p(us.cold, 99),
    qr_verify_warm_p50_us: p(us.warm, 50),
    qr_verify_warm_p99_us: p(us.warm, 99),
    qr_decide_warm_p50_us: p(us.decide, 50),
    qr_decide_warm_p99_us: p(us.decide, 99),
    ed25519_verify_p50_us: p(us.bare, 50),
    ed25519_verify_p99_us: p(us.bare, 99),
    sm2_verify_p50_us: p(us.sm2, 50),
    sm2_verify_p99_us: p(us.sm2, 99),
    ratio_sm2_to_ed25519_verify_p99: round(percentile(us.sm2, 99) / percentile(us.bare, 99), 2),
    qr_verify_sm2_p50_us: p(us.sm2Cold, 50),
    qr_verify_sm2_p99_us: p(us.sm2Cold, 99),
    ratio_qr_verify_sm2_to_ed25519_p99: round(percentile(us.sm2Cold, 99) / percentile(us.bare, 99), 2),
    sm2_verify_ops: us.sm2.length,
    ratio_qr_verify_to_ed25519_p99: round(percentile(us.cold, 99) / percentile(us.bare, 99), 2),
    ratio_qr_verify_warm_to_ed25519_p99: round(percentile(us.warm, 99) / percentile(us.bare, 99), 2),
    ratio_qr_decide_to_verify_warm_p99: round(percentile(us.decide, 99) / percentile(us.warm, 99), 2),
    qr_dynamic_code_bytes: 201,
    qr_dynamic_code_chars: cold[0]!.length,
    qr_verify_ops: n,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchQr(process.argv.includes('--quick'))));
}
