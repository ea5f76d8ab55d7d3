import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMetrics } from '@kombo-sync/metrics';
import { events, startHarness, type IngressHarness } from './testing/ingress-harness.js';

let h: IngressHarness;
const US_SECRET = 'whsec_us_metrics';
beforeAll(async () => {
  const metrics = createMetrics({ service: 'ingress' });
  h = await startHarness({
    metrics: { registry: metrics.registry, webhooks: metrics.webhooks },
    environments: [{ name: 'us', webhookSecrets: [US_SECRET] }],
  });
});
afterAll(() => h.close());

function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`${name}{`) &&
        Object.entries(labels).every(([key, value]) => l.includes(`${key}="${value}"`)),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('ingress /metrics with the fleet registry', () => {
  it('counts webhooks by environment, type and outcome and serves process metrics', async () => {
    const before = await (await fetch(`${h.url}/metrics`)).text();
    const event = events.dataChanged('int-metrics', ['hris_employees']);
    expect((await h.post(event)).status).toBe(200);
    expect((await h.post(event)).status).toBe(200);
    expect((await h.post(event, { secret: 'wrong' })).status).toBe(401);
    const usPath = { secret: US_SECRET, path: '/webhooks/kombo/us' };
    expect((await h.post(events.dataChanged('int-metrics-us', ['hris_employees']), usPath)).status).toBe(200);

    const res = await fetch(`${h.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const after = await res.text();
    const labels = (outcome: string, environment = 'default') => ({
      environment,
      type: 'data-changed',
      outcome,
      service: 'ingress',
    });
    expect(
      sample(after, 'kombo_sync_webhooks_total', labels('queued')) -
        sample(before, 'kombo_sync_webhooks_total', labels('queued')),
    ).toBe(1);
    expect(sample(after, 'kombo_sync_webhooks_total', labels('replay'))).toBe(1);
    expect(sample(after, 'kombo_sync_webhooks_total', labels('queued', 'us'))).toBe(1);
    expect(after).toMatch(/kombo_sync_webhooks_total\{[^}]*outcome="signature_invalid"[^}]*\} 1/);
    expect(after).toContain('process_cpu_user_seconds_total');
  });
});
