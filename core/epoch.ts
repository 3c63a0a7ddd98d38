// Journal epochs (docs/decisions/0175). A device's sequence numbers are only unique within one
// journal: a device whose journal is lost or replaced starts again at seq 1. Each journal
// therefore draws a random epoch when it is created and keeps it; the device sends it with
// every batch, and the gateway's exactly-once key is (device, epoch, seq).
//
// On the wire (TapBatch.journal_epoch, BatchAck.journal_epoch) an epoch is 8 bytes; everywhere
// else (journals, record ids, store keys, logs) 16 lowercase hex characters. The legacy epoch,
// a batch from firmware that sends none, is the empty string: its taps keep the (device, seq)
// key and record ids of before.

/** Bytes of an epoch on the wire: 64 random bits, so two journals of one device never meet. */
export const EPOCH_BYTES = 8;

/** The epoch of a batch that carries none (older firmware, journals from before epochs). */
export const LEGACY_EPOCH = '';

const EPOCH_HEX = /^(?!0{16})[0-9a-f]{16}$/;

/** True for a well-formed epoch: 16 lowercase hex characters, not all zero. */
export function isEpoch(epoch: string): boolean {
  return EPOCH_HEX.test(epoch);
}
