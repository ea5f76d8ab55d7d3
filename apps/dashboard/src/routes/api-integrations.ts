import { Router } from 'express';
import type { RouteContext } from '../deps.js';
import { DashboardError } from '../dashboard-error.js';
import { loadIntegrationDetail, loadIntegrations } from '../status-queries.js';
import { parseFilter } from './status-page.js';

/**
 * `GET /api/integrations[?filter=failing|lagging]` → `{ integrations: IntegrationView[] }`;
 * `GET /api/integrations/:id` → `{ integration: IntegrationDetail }` (row counts and recent runs included).
 */
export function apiIntegrationsRoute({ deps, lagThresholdMs, now }: RouteContext): Router {
  const router = Router();
  router.get('/api/integrations', async (req, res) => {
    const filter = parseFilter(req.query.filter);
    res.json({ integrations: await loadIntegrations(deps.db, { now: now(), lagThresholdMs, filter }) });
  });
  router.get('/api/integrations/:id', async (req, res) => {
    const detail = await loadIntegrationDetail(deps.db, req.params.id, { now: now(), lagThresholdMs });
    if (!detail) throw new DashboardError(404, 'INTEGRATION_NOT_FOUND', 'No such integration');
    res.json({ integration: detail });
  });
  return router;
}
