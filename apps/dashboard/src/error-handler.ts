import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '@kombo-sync/logger';
import { DashboardError } from './dashboard-error.js';
import { errorPage } from './views/layout.js';

export const notFound: RequestHandler = (_req, _res, next) =>
  next(new DashboardError(404, 'NOT_FOUND', 'Not found'));

/**
 * The one error middleware: `{ error: { code, message } }` for the API and tools, a small HTML page for browsers.
 * A 500 never echoes internals; it is logged with the error.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const bodyStatus = (err as { status?: unknown; type?: unknown }).status;
    const isBodyError = typeof bodyStatus === 'number' && bodyStatus >= 400 && bodyStatus < 500;
    const httpError =
      err instanceof DashboardError
        ? err
        : isBodyError
          ? new DashboardError(bodyStatus, 'BAD_REQUEST', 'Request body rejected (malformed or too large)')
          : new DashboardError(500, 'INTERNAL', 'Internal error');
    if (httpError.status >= 500) logger.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return;
    res.status(httpError.status);
    const body = { error: { code: httpError.code, message: httpError.message } };
    if (req.path.startsWith('/api/') || !req.accepts('html')) {
      res.json(body);
    } else {
      res.type('html').send(errorPage(httpError.status, httpError.message).value);
    }
  };
}
