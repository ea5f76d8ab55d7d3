import { requestSyncDeps } from '@kombo-sync/queue';
import express, { type Express } from 'express';
import { createAuth } from './auth.js';
import { createBullBoardRouter } from './bull-board.js';
import { createCsrf, sameOriginGuard } from './csrf.js';
import { syncQueuesOf, type DashboardDeps, type RouteContext } from './deps.js';
import { errorHandler, notFound } from './error-handler.js';
import { checkIntegrationId } from './integration-id.js';
import { readOnlyGuard } from './read-only.js';
import { apiControlsRoute } from './routes/api-controls.js';
import { apiIntegrationsRoute } from './routes/api-integrations.js';
import { apiSyncRoute } from './routes/api-sync.js';
import { healthzRoute } from './routes/healthz.js';
import { controlsPageRoute } from './routes/controls-page.js';
import { integrationPageRoute } from './routes/integration-page.js';
import { metricsRoute } from './routes/metrics.js';
import { statusPageRoute } from './routes/status-page.js';
import { syncFormRoute } from './routes/sync-form.js';
import { webhooksPageRoute } from './routes/webhooks-page.js';

/** Where Bull Board is mounted. */
export const QUEUES_PATH = '/queues';

/**
 * The dashboard's Express app: `/healthz` open; everything else behind basic/bearer auth: the status page (`/`,
 * `/integrations/:id`, "sync now" forms), outbound webhook endpoints (`/webhooks`), the JSON API (`/api/integrations...`), Bull Board (`/queues`) and
 * `/metrics`. With `isDashboardReadOnly` every request that would change something is refused (403). Throws a `DashboardConfigError` when credentials are missing in production. Opens no connection:
 * the caller owns the ones in `deps`.
 */
export function createDashboardApp(deps: DashboardDeps): Express {
  const auth = createAuth(deps.config, deps.logger);
  const ctx: RouteContext = {
    deps,
    actions: {
      db: deps.db,
      logger: deps.logger,
      request: requestSyncDeps(deps.redis, syncQueuesOf(deps.queues), deps.config),
    },
    csrf: createCsrf(),
    isReadOnly: deps.config.isDashboardReadOnly,
    lagThresholdMs: deps.config.lagThresholdMs,
    now: deps.now ?? (() => new Date()),
  };
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin' });
    next();
  });
  app.use(healthzRoute(deps));
  app.use(auth);
  app.use(readOnlyGuard(deps.config.isDashboardReadOnly));
  app.use(['/integrations/:id', '/api/integrations/:id'], checkIntegrationId);
  app.use(metricsRoute(deps));
  // Bull Board's own actions (retry, clean...) are state-changing requests too: same-origin only.
  app.use(QUEUES_PATH, sameOriginGuard, createBullBoardRouter(deps, QUEUES_PATH));
  app.use(statusPageRoute(ctx));
  app.use(integrationPageRoute(ctx));
  app.use(syncFormRoute(ctx));
  app.use(apiIntegrationsRoute(ctx));
  app.use(apiSyncRoute(ctx));
  app.use(controlsPageRoute(ctx));
  app.use(apiControlsRoute(ctx));
  app.use(webhooksPageRoute(ctx));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
