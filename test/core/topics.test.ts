import { describe, expect, it } from 'vitest';
import { parseDeviceTopic, sharedFilter, topics } from '../../core/topics.js';

describe('topic map', () => {
  it('puts operator and device ids in every device topic', () => {
    expect(topics.taps('busco', 'v-17')).toBe('onecard/v1/busco/v-17/taps');
    expect(topics.ack('busco', 'v-17')).toBe('onecard/v1/busco/v-17/ack');
    expect(topics.status('busco', 'v-17')).toBe('onecard/v1/busco/v-17/status');
  });
  it('reserves the operator id "lists" for the list topics', () => {
    expect(() => topics.taps('lists', 'd')).toThrow(/invalid/);
  });
  it.each(['+', '#', 'a/b', '', 'x'.repeat(65)])('refuses to build a topic with the id %j', (bad) => {
    expect(() => topics.taps(bad, 'd')).toThrow(/invalid/);
    expect(() => topics.taps('op', bad)).toThrow(/invalid/);
  });
  it('parses device topics and nothing else', () => {
    expect(parseDeviceTopic('onecard/v1/op/dev/taps')).toEqual({
      operatorId: 'op',
      deviceId: 'dev',
      leaf: 'taps',
    });
    expect(parseDeviceTopic('onecard/v2/op/dev/taps')).toBeUndefined();
    expect(parseDeviceTopic('onecard/v1/op/dev/taps/x')).toBeUndefined();
    expect(parseDeviceTopic('onecard/v1/lists/deny/delta')).toBeUndefined();
  });
  it('gives every list (kind, scope) its delta and retained head topic', () => {
    expect(topics.listDelta('deny', 'all')).toBe('onecard/v1/lists/deny/all/delta');
    expect(topics.listHead('entitlements', 'museum-1')).toBe('onecard/v1/lists/entitlements/museum-1/head');
    expect(parseDeviceTopic(topics.listDelta('flags', 'all'))).toBeUndefined();
  });
  it.each(['+', '#', 'a/b', ''])('refuses a list topic with the scope %j', (bad) => {
    expect(() => topics.listDelta('entitlements', bad)).toThrow(/invalid list/);
  });
  it('builds shared subscription filters', () => {
    expect(sharedFilter('gateway', topics.filters.taps)).toBe('$share/gateway/onecard/v1/+/+/taps');
  });
});
