import { listConnectionFlowFailures } from '@kombo-sync/db';
import { Router } from 'express';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { loadIntegrations, type StatusFilter } from '../status-queries.js';
import { PAGE_HEADERS } from '../views/layout.js';
import { statusView } from '../views/status-view.js';

const FILTERS: readonly StatusFilter[] = ['all', 'failing', 'lagging'];

export function parseFilter(value: unknown): StatusFilter {
  if (value === undefined || value === '') return 'all';
  if (typeof value === 'string' && (FILTERS as readonly string[]).includes(value))
    return value as StatusFilter;
  throw new HttpError(400, 'BAD_FILTER', 'filter must be failing or lagging');
}

/** `GET /`: the sync status page, `?filter=failing|lagging`. */
export function statusPageRoute({ deps, csrf, isReadOnly, lagThresholdMs, now }: RouteContext): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const filter = parseFilter(req.query.filter);
    const [views, flows] = await Promise.all([
      loadIntegrations(deps.db, { now: now(), lagThresholdMs, filter }),
      listConnectionFlowFailures(deps.db),
    ]);
    const csrfToken = isReadOnly ? undefined : csrf.issue(req, res);
    res
      .set(PAGE_HEADERS)
      .type('html')
      .send(statusView(views, { filter, csrfToken, lagThresholdMs, flows }).value);
  });
  return router;
}
