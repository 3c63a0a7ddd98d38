// A new journal's epoch (core/epoch.ts): 8 bytes from the system's CSPRNG, so a device that
// loses its journal never draws an epoch it used before (the chance is 2^-64 per pair).
import { randomBytes } from 'node:crypto';
import { EPOCH_BYTES, isEpoch } from '../../../core/epoch.js';

export function newEpoch(): string {
  for (;;) {
    const epoch = randomBytes(EPOCH_BYTES).toString('hex');
    // All zero is not an epoch (the wire would not tell it from a fault); drawn once in 2^64.
    if (isEpoch(epoch)) return epoch;
  }
}
