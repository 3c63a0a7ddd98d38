import { describe, expect, it } from 'vitest';
import { type ConfigError, loadGatewayConfig } from '../../../gateway/src/config.js';

const keys = { ONECARD_TOKEN_KEY: 'ab'.repeat(32), ONECARD_LIST_SIGNING_KEY: 'cd'.repeat(32) };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadGatewayConfig({ ...keys, ...env });
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
}

describe('payment configuration', () => {
  it('has no provider by default, and limits that refuse nothing ordinary', () => {
    expect(loadGatewayConfig(keys)).toMatchObject({
      paymentProviderUrl: '',
      paymentProviderPublicKeyHex: '',
      paymentOrderTtlSec: 900,
      topupMaxSingleFen: 100_000,
      topupMaxDailyFen: 200_000,
      topupMaxBalanceFen: 500_000,
      counterTopupDailyFen: 5_000_000,
    });
  });

  it('refuses a provider without the public key its notifications verify with', () => {
    expect(problemsOf({ ONECARD_PAYMENT_PROVIDER_URL: 'http://127.0.0.1:9000' })).toEqual([
      'ONECARD_PAYMENT_PROVIDER_PUBLIC_KEY: required when ONECARD_PAYMENT_PROVIDER_URL is set',
    ]);
  });

  it('refuses a key of the wrong form and limits out of range, all at once', () => {
    const problems = problemsOf({
      ONECARD_PAYMENT_PROVIDER_PUBLIC_KEY: 'abc',
      ONECARD_PAYMENT_ORDER_TTL_SEC: '5',
      ONECARD_TOPUP_MAX_SINGLE_FEN: '0',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/ONECARD_PAYMENT_PROVIDER_PUBLIC_KEY .*"abc" has the wrong form/);
    expect(problems.join('\n')).toMatch(/ONECARD_PAYMENT_ORDER_TTL_SEC .*5 is outside 60\.\.86400/);
    expect(problems.join('\n')).toMatch(/ONECARD_TOPUP_MAX_SINGLE_FEN .*0 is outside 1\.\.10000000/);
  });
});
