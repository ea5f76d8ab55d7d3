import { countQuarantinedByReason } from '@kombo-sync/db';
import { collectQuarantinedRecords, collectQueueDepth, metricsHandler } from '@kombo-sync/metrics';
import { Router } from 'express';
import type { DashboardDeps } from '../deps.js';
import { loadWatermarkLags } from '../status-queries.js';

/**
 * `GET /metrics`: the dashboard's registry, with queue depth, watermark lag and quarantined records refreshed on each
 * scrape.
 */
export function metricsRoute({ db, queues, metrics, logger }: DashboardDeps): Router {
  const router = Router();
  const onScrape = async () => {
    const [lags] = await Promise.all([
      loadWatermarkLags(db),
      ...Object.values(queues).map((queue) => collectQueueDepth(queue, metrics.queueJobs)),
      collectQuarantinedRecords(() => countQuarantinedByReason(db), metrics.quarantinedRecords),
    ]);
    // Reset first so deleted integrations disappear from the gauge.
    metrics.watermarkLagSeconds.reset();
    for (const lag of lags) {
      metrics.watermarkLagSeconds.set(
        { integration_id: lag.integrationId, model: lag.model },
        lag.lagSeconds,
      );
    }
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
