import { loadIntegrationStatus } from '@kombo-sync/db';
import { Router } from 'express';
import type { RouteContext } from '../deps.js';
import { DashboardError } from '../dashboard-error.js';
import { parseStatusSelection, selectionQueryString } from '../status-query.js';
import { loadDashboardStatus } from './status-page.js';

/**
 * `GET /api/integrations[?filter=…&category=…&tool=…&q=…&after=…|before=…&limit=…]` → `{ summary, lanes,
 * integrations, page: { limit, nextAfter, previousBefore, next, previous } }` (`next`/`previous`: the URLs of the
 * neighbouring pages, null at the ends); `GET /api/integrations/:id` → `{ integration }` with every model, row
 * counts, recent runs and quarantined records.
 */
export function apiIntegrationsRoute(ctx: RouteContext): Router {
  const { deps, lagThresholdMs, now } = ctx;
  const router = Router();
  router.get('/api/integrations', async (req, res) => {
    const selection = parseStatusSelection(req.query);
    const { summary, lanes, page } = await loadDashboardStatus(ctx, selection);
    const link = (cursor: { after: string } | { before: string }) =>
      `/api/integrations${selectionQueryString(selection, cursor)}`;
    res.json({
      summary,
      lanes,
      integrations: page.integrations,
      page: {
        limit: selection.limit,
        nextAfter: page.nextAfter,
        previousBefore: page.previousBefore,
        next: page.nextAfter === null ? null : link({ after: page.nextAfter }),
        previous: page.previousBefore === null ? null : link({ before: page.previousBefore }),
      },
    });
  });
  router.get('/api/integrations/:id', async (req, res) => {
    const detail = await loadIntegrationStatus(deps.db, req.params.id, { now: now(), lagThresholdMs });
    if (!detail) throw new DashboardError(404, 'INTEGRATION_NOT_FOUND', 'No such integration');
    res.json({ integration: detail });
  });
  return router;
}
