import { countQuarantinedByReason, listRunningEstimates, listSyncLags } from '@kombo-sync/db';
import {
  collectQuarantinedRecords,
  collectQueueDepth,
  collectSyncHealth,
  metricsHandler,
} from '@kombo-sync/metrics';
import { Router } from 'express';
import type { DashboardDeps } from '../deps.js';

/**
 * `GET /metrics`: the dashboard's registry, with queue depth, lag, pass progress and quarantined records refreshed
 * on each scrape (per model; per integration too with METRICS_PER_INTEGRATION).
 */
export function metricsRoute({ db, queues, metrics, logger, config, now }: DashboardDeps): Router {
  const router = Router();
  const isPerIntegration = config.isMetricsPerIntegration;
  const onScrape = async () => {
    await Promise.all([
      ...Object.values(queues).map((queue) => collectQueueDepth(queue, metrics.queueJobs)),
      collectQuarantinedRecords(() => countQuarantinedByReason(db), metrics.quarantinedRecords),
      collectSyncHealth(
        {
          lags: () => listSyncLags(db, { isPerIntegration }),
          progress: () => listRunningEstimates(db, (now ?? (() => new Date()))()),
        },
        metrics,
        { isPerIntegration },
      ),
    ]);
  };
  router.get(
    '/metrics',
    metricsHandler(metrics.registry, {
      onScrape,
      onScrapeError: (err) => logger.warn({ err }, 'metrics scrape refresh failed'),
    }),
  );
  return router;
}
