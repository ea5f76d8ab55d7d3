import { describe, expect, it } from '@jest/globals';
import { collectDeliveryHealth, createMetrics } from './index.js';
import { parseExposition, sampleValue } from './testing/parse-exposition.js';

describe('collectDeliveryHealth', () => {
  it('sets waiting deliveries, lag and enabled per endpoint, and drops endpoints that are gone', async () => {
    const metrics = createMetrics({ service: 'worker' });
    const now = new Date('2026-01-01T00:01:00Z');
    const stats = [
      {
        endpointId: 'ep_a',
        isEnabled: true,
        pending: 3,
        inFlight: 1,
        dead: 0,
        oldestWaitingAt: new Date('2026-01-01T00:00:00Z'),
      },
      { endpointId: 'ep_b', isEnabled: false, pending: 0, inFlight: 0, dead: 7, oldestWaitingAt: null },
    ];
    await collectDeliveryHealth(async () => stats, metrics, now);
    let text = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(text, 'kombo_sync_webhook_deliveries', { endpoint: 'ep_a', state: 'pending' })).toBe(
      3,
    );
    expect(sampleValue(text, 'kombo_sync_webhook_lag_seconds', { endpoint: 'ep_a' })).toBe(60);
    expect(sampleValue(text, 'kombo_sync_webhook_lag_seconds', { endpoint: 'ep_b' })).toBe(0);
    expect(sampleValue(text, 'kombo_sync_webhook_endpoint_enabled', { endpoint: 'ep_b' })).toBe(0);
    expect(sampleValue(text, 'kombo_sync_webhook_deliveries', { endpoint: 'ep_b', state: 'dead' })).toBe(7);

    await collectDeliveryHealth(async () => stats.slice(0, 1), metrics, now);
    text = parseExposition(await metrics.registry.metrics());
    expect(sampleValue(text, 'kombo_sync_webhook_endpoint_enabled', { endpoint: 'ep_b' })).toBeUndefined();
  });
});
