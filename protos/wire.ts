// The one entry point to the generated protobuf code (protos/gen, made by `npm run gen`).
//
// 64-bit fields (seq, *_ms, *_fen) are decoded as plain JS numbers: every value we carry fits
// in 2^53 (ms timestamps until the year 287,396; fen balances up to 90 trillion CNY), and
// numbers are far cheaper on the hot path than Long objects.
import $protobuf from 'protobufjs/minimal.js';
import { onecard } from './gen/onecard.js';

$protobuf.util.Long = undefined as never;
$protobuf.configure();

export const v1 = onecard.v1;
export type Tap = onecard.v1.Tap;
export type TapBatch = onecard.v1.TapBatch;
export type BatchAck = onecard.v1.BatchAck;
export type TapResult = onecard.v1.TapResult;
export type DeviceStatus = onecard.v1.DeviceStatus;
export const { CredentialKind, Direction, Decision, Concession, Reason, Outcome, DenyReason } = onecard.v1;
