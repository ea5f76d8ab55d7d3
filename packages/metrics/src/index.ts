export { createMetrics, METRIC_PREFIX, type Metrics, type MetricsService } from './create-metrics.js';
export { metricsHandler, type MetricsHandlerOptions, type MetricsResponse } from './metrics-handler.js';
export { collectLaneDepth, collectQueueDepth, QUEUE_STATES, type QueueLike } from './collect-queue-depth.js';
export { collectIntegrationHealth, type IntegrationHealthLike } from './collect-integration-health.js';
export { collectQuarantinedRecords, type QuarantineCountLike } from './collect-quarantined-records.js';
export {
  collectSyncHealth,
  type PassProgressLike,
  type SyncHealthSources,
  type SyncLagLike,
} from './collect-sync-health.js';
export { collectDeliveryHealth, type EndpointDeliveryStatsLike } from './collect-delivery-health.js';
