import express, { type Express } from 'express';
import type { IngressDeps } from './deps.js';
import { errorHandler, notFound } from './http-error.js';
import { requestId } from './request-id.js';
import { healthz, readyz } from './routes/health.js';
import { komboWebhook } from './routes/kombo-webhook.js';
import { metricsRoute } from './routes/metrics.js';

export type { IngressConfig, IngressDeps, IngressMetrics, WebhookOutcome } from './deps.js';

/**
 * The ingress HTTP app: `POST /webhooks/kombo` (and `POST /webhooks/kombo/<environment>` per named environment),
 * `GET /healthz`, `GET /readyz`, and `GET /metrics` when a
 * registry is passed. Errors answer `{ error: { code, message } }`. The caller owns the connections and listens.
 */
export function createIngressApp(deps: IngressDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId(app, deps.logger));
  app.get('/healthz', healthz);
  app.get('/readyz', readyz(deps));
  if (deps.metrics) app.get('/metrics', metricsRoute(deps.metrics));
  app.post('/webhooks/kombo', ...komboWebhook(deps));
  for (const environment of deps.environments ?? []) {
    app.post(`/webhooks/kombo/${environment.name}`, ...komboWebhook(deps, environment));
  }
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
