import { listConnectionFlowFailures, loadFleetStatus } from '@kombo-sync/db';
import { loadLaneDepth } from '@kombo-sync/queue';
import { Router } from 'express';
import { syncQueuesOf, type RouteContext } from '../deps.js';
import { parseStatusSelection, type StatusSelection } from '../status-query.js';
import { PAGE_HEADERS } from '../views/layout.js';
import { statusView } from '../views/status-view.js';

/** The fleet's status for one selection: summary, lane depth and one page (packages/db's `loadFleetStatus`). */
export function loadDashboardStatus({ deps, lagThresholdMs, now }: RouteContext, selection: StatusSelection) {
  return loadFleetStatus(deps.db, { ...selection, now: now(), lagThresholdMs }, () =>
    loadLaneDepth(syncQueuesOf(deps.queues)),
  );
}

/**
 * `GET /`: the sync status page: the fleet summary, filters (`?filter=failing,lagging`), search (`q`), `category`,
 * `tool`, one page of integrations (`after`/`before` an id, `limit`), and the connection flows that failed recently.
 */
export function statusPageRoute(ctx: RouteContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const selection = parseStatusSelection(req.query);
    const [status, flows] = await Promise.all([
      loadDashboardStatus(ctx, selection),
      listConnectionFlowFailures(ctx.deps.db),
    ]);
    const csrfToken = ctx.isReadOnly ? undefined : ctx.csrf.issue(req, res);
    const view = statusView({
      summary: status.summary,
      lanes: status.lanes ?? { error: 'not loaded' },
      page: status.page,
      selection,
      csrfToken,
      lagThresholdMs: ctx.lagThresholdMs,
      flows,
    });
    res.set(PAGE_HEADERS).type('html').send(view.value);
  });
  return router;
}
