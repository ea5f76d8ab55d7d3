import { Router } from 'express';
import type { RouteContext } from '../deps.js';
import { DashboardError } from '../dashboard-error.js';
import { loadIntegrationStatus } from '@kombo-sync/db';
import { integrationView } from '../views/integration-view.js';
import { PAGE_HEADERS } from '../views/layout.js';

/** `GET /integrations/:id`: one integration's models, row counts and recent runs. */
export function integrationPageRoute({ deps, csrf, isReadOnly, lagThresholdMs, now }: RouteContext): Router {
  const router = Router();
  router.get('/integrations/:id', async (req, res) => {
    const detail = await loadIntegrationStatus(deps.db, req.params.id, { now: now(), lagThresholdMs });
    if (!detail) throw new DashboardError(404, 'INTEGRATION_NOT_FOUND', 'No such integration');
    const queued = typeof req.query.queued === 'string' ? req.query.queued.slice(0, 200) : undefined;
    const csrfToken = isReadOnly ? undefined : csrf.issue(req, res);
    const page = integrationView(detail, {
      csrfToken,
      lagThresholdMs,
      ...(queued && { queuedJobId: queued }),
    });
    res.set(PAGE_HEADERS).type('html').send(page.value);
  });
  return router;
}
