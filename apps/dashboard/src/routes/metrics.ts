import {
  countNotFoundFlagged,
  countQuarantinedByReason,
  listRunningEstimates,
  listSyncLags,
  loadIntegrationHealth,
} from '@kombo-sync/db';
import {
  collectIntegrationHealth,
  collectLaneDepth,
  collectQuarantinedRecords,
  collectQueueDepth,
  collectSyncHealth,
  metricsHandler,
} from '@kombo-sync/metrics';
import { changeFeedDroppedCount, countLiveWorkers } from '@kombo-sync/queue';
import { Router } from 'express';
import { syncQueuesOf, type DashboardDeps } from '../deps.js';

/**
 * `GET /metrics`: the dashboard's registry, with queue depth (by lane), live workers, lag, pass progress, failures,
 * integration states, quarantined records and change feed drops refreshed on each scrape (per model; per
 * integration too with METRICS_PER_INTEGRATION). The same fleet series as a worker's `/metrics`, from one process
 * that is up when no worker is.
 */
export function metricsRoute({ db, redis, queues, metrics, logger, config, now }: DashboardDeps): Router {
  const router = Router();
  const isPerIntegration = config.isMetricsPerIntegration;
  const onScrape = async () => {
    await Promise.all([
      collectLaneDepth(syncQueuesOf(queues), metrics.queueJobs),
      collectQueueDepth(queues.changes, metrics.queueJobs),
      collectQuarantinedRecords(() => countQuarantinedByReason(db), metrics.quarantinedRecords),
      countNotFoundFlagged(db).then((count) => metrics.integrationsNotFoundFlagged.set(count)),
      countLiveWorkers(redis, config.queuePrefix).then((count) => metrics.workersLive.set(count)),
      changeFeedDroppedCount(redis, config.queuePrefix).then((count) => metrics.changeFeedDropped.set(count)),
      collectIntegrationHealth(() => loadIntegrationHealth(db, { isPerIntegration }), metrics, {
        isPerIntegration,
      }),
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
