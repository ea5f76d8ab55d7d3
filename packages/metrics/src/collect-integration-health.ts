import type { Metrics } from './create-metrics.js';

/**
 * The fleet's integration health as {@link collectIntegrationHealth} needs it (structural: this package does not
 * import the database; packages/db `loadIntegrationHealth` returns it).
 */
export interface IntegrationHealthLike {
  /** Live integrations counted by Kombo's state and setup status (null: not known yet). */
  readonly states: readonly { state: string | null; setupStatus: string | null; count: number }[];
  /** Live integrations whose latest Kombo sync failed, by Kombo's sync state. */
  readonly komboSyncsFailed: readonly { syncState: string; count: number }[];
  /** Failing models: per integration, or per model with `integrationId` '' (the largest count). */
  readonly consecutiveFailures: readonly { integrationId: string; model: string; failures: number }[];
  /** `connection-flow-failed` webhooks of the last 24 hours. */
  readonly connectionFlowFailures: number;
}

type IntegrationHealthGauges = Pick<
  Metrics,
  'consecutiveFailures' | 'integrationsByState' | 'komboSyncsFailed' | 'connectionFlowFailures'
>;

/**
 * Refreshes the integration health gauges from `load` (call on scrape). Gauges are reset first, so a state no
 * integration has any more drops to no series. Consecutive failures carry `integration_id` only with
 * `isPerIntegration` (METRICS_PER_INTEGRATION); otherwise one series per failing model, the largest count.
 */
export async function collectIntegrationHealth(
  load: () => Promise<IntegrationHealthLike>,
  gauges: IntegrationHealthGauges,
  { isPerIntegration = false }: { isPerIntegration?: boolean } = {},
): Promise<void> {
  const health = await load();
  gauges.integrationsByState.reset();
  for (const { state, setupStatus, count } of health.states) {
    const labels = { state: state ?? 'unknown', setup_status: setupStatus ?? 'unknown' };
    gauges.integrationsByState.inc(labels, count);
  }
  gauges.komboSyncsFailed.reset();
  for (const { syncState, count } of health.komboSyncsFailed)
    gauges.komboSyncsFailed.set({ sync_state: syncState }, count);
  gauges.consecutiveFailures.reset();
  const largest = new Map<string, { labels: Record<string, string>; failures: number }>();
  for (const { integrationId, model, failures } of health.consecutiveFailures) {
    const labels: Record<string, string> = isPerIntegration
      ? { integration_id: integrationId, model }
      : { model };
    const key = JSON.stringify(labels);
    if ((largest.get(key)?.failures ?? -1) < failures) largest.set(key, { labels, failures });
  }
  for (const { labels, failures } of largest.values()) gauges.consecutiveFailures.set(labels, failures);
  gauges.connectionFlowFailures.set(health.connectionFlowFailures);
}
