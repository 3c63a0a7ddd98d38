// Builders shared by the edge agent's tests.

import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgeConfig } from '../../edge-agent/src/config.js';
import { loadEdgeConfig } from '../../edge-agent/src/config.js';
import type { Journal } from '../../edge-agent/src/journal/port.js';
import { type TapBatch, v1 } from '../../protos/wire.js';
import { LIST_KEYS } from '../support/lists.js';
import { privateKeyOf, signedAck } from '../support/signing.js';
import { tapRecord } from './journal/contract.js';

export const TOKEN_KEY_HEX = '5eed'.repeat(16);

export function edgeConfig(values: Partial<EdgeConfig> = {}): EdgeConfig {
  return loadEdgeConfig({
    values: {
      deviceId: 'bus-1',
      operatorId: 'busco',
      profile: 'bus_validator',
      routeId: 'r12',
      tokenKeyHex: TOKEN_KEY_HEX,
      listKeys: LIST_KEYS,
      // Signs with the device id's test key: a gateway test registers publicKeyOf(deviceId).
      deviceKey: privateKeyOf(values.deviceId ?? 'bus-1'),
      // Lists persist next to the test's journal (in its temp folder), else in a file of their own.
      listsFile:
        values.journalFile && values.journalFile !== ':memory:'
          ? `${values.journalFile}.lists`
          : join(tmpdir(), `onecard-lists-${randomUUID()}`),
      ...values,
    },
  });
}

export function fill(journal: Journal, n: number): void {
  for (let i = 0; i < n; i++) journal.append(tapRecord());
}

export interface Published {
  topic: string;
  payload: Uint8Array;
  retain: boolean;
}

export function decodeBatch(p: Published): TapBatch {
  return v1.TapBatch.decode(p.payload);
}

export function seqsOf(p: Published): number[] {
  return decodeBatch(p).taps.map((t) => Number(t.seq));
}

export function ackPayload(
  deviceId: string,
  fromSeq: number,
  toSeq: number,
  gatewayTimeMs = Date.now(),
  /** The journal epoch acknowledged (hex; '' legacy): a device deletes only on its own. */
  epoch = '',
): Uint8Array {
  const results = [];
  for (let seq = fromSeq; seq <= toSeq; seq++)
    results.push({ seq, outcome: v1.Outcome.OUTCOME_RECORDED, reason: v1.Reason.REASON_OK });
  const journalEpoch = Buffer.from(epoch, 'hex');
  return signedAck({ deviceId, fromSeq, toSeq, results, gatewayTimeMs, journalEpoch });
}
