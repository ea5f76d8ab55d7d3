import type { Metrics } from './create-metrics.js';

/** One endpoint's delivery counts (packages/db `listEndpointDeliveryStats` returns these). */
export interface EndpointDeliveryStatsLike {
  readonly endpointId: string;
  readonly isEnabled: boolean;
  readonly pending: number;
  readonly inFlight: number;
  readonly dead: number;
  readonly oldestWaitingAt: Date | null;
}

/**
 * Sets the outbound webhook gauges (waiting deliveries by state, lag, enabled) per endpoint from `load` (one query),
 * after a reset so a deleted endpoint drops its series. Call it on scrape. This package knows no Postgres.
 */
export async function collectDeliveryHealth(
  load: () => Promise<readonly EndpointDeliveryStatsLike[]>,
  metrics: Pick<Metrics, 'webhookDeliveriesWaiting' | 'webhookLagSeconds' | 'webhookEndpointEnabled'>,
  now: Date = new Date(),
): Promise<void> {
  const stats = await load();
  for (const gauge of [
    metrics.webhookDeliveriesWaiting,
    metrics.webhookLagSeconds,
    metrics.webhookEndpointEnabled,
  ])
    gauge.reset();
  for (const s of stats) {
    const endpoint = s.endpointId;
    metrics.webhookDeliveriesWaiting.set({ endpoint, state: 'pending' }, s.pending);
    metrics.webhookDeliveriesWaiting.set({ endpoint, state: 'in_flight' }, s.inFlight);
    metrics.webhookDeliveriesWaiting.set({ endpoint, state: 'dead' }, s.dead);
    const lag = s.oldestWaitingAt ? Math.max(0, (now.getTime() - s.oldestWaitingAt.getTime()) / 1000) : 0;
    metrics.webhookLagSeconds.set({ endpoint }, lag);
    metrics.webhookEndpointEnabled.set({ endpoint }, s.isEnabled ? 1 : 0);
  }
}
