import type { RequestHandler } from 'express';
import { DashboardError } from './dashboard-error.js';

/** Methods that only read: everything else changes something. */
const READING_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * DASHBOARD_READ_ONLY: every request that would change something (any method but GET, HEAD and OPTIONS: "sync now",
 * full resync, the controls form and API, the sync API, Bull Board's actions) is refused with 403 before any route
 * sees it. The pages show no buttons for them either; reading (pages, JSON, Bull Board, /metrics) is unchanged.
 */
export function readOnlyGuard(isReadOnly: boolean): RequestHandler {
  return (req, _res, next) => {
    if (!isReadOnly || READING_METHODS.has(req.method)) return next();
    next(
      new DashboardError(
        403,
        'READ_ONLY',
        'This dashboard is read-only (DASHBOARD_READ_ONLY=true): syncs, controls and queue actions are refused',
      ),
    );
  };
}
