// What a gateway's /metrics says of itself before any traffic (gateway/src/metrics.ts).
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../gateway/src/addon/sha256.js';
import { createMetrics } from '../../gateway/src/metrics.js';

describe('gateway metrics', () => {
  it('say whether the tap path hashes with the Node addon (1) or node:crypto (0), as it does (0247)', async () => {
    const text = await createMetrics().registry.getSingleMetricAsString('onecard_gateway_addon_in_use');
    expect(text).toContain(`onecard_gateway_addon_in_use ${sha256.name === 'addon' ? 1 : 0}`);
    // This machine built the addon (scripts/setup.sh): a 0 here would be a slower gateway unnoticed.
    expect(text).toContain('onecard_gateway_addon_in_use 1');
  });
});
